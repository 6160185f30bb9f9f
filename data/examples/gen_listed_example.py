#!/usr/bin/env python3
"""Generates listed_companies.example.csv: a GENERATED example of the listed-company reference
file (code,name,uscc,exchange) that the maintainer supplies. Companies, codes and USCCs are
fictitious; each USCC carries a correct GB 32100-2015 check character so that the reader accepts
it. Run: python3 gen_listed_example.py > listed_companies.example.csv"""
import csv
import sys

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def check_char(first17):
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def uscc(division, org):
    first17 = "91" + division + org
    assert len(first17) == 17
    return first17 + check_char(first17)


ROWS = [
    ("X00001", "示例信息技术股份有限公司", uscc("110108", "MA00EX001"), "SSE"),
    ("X00002", "样本数据服务股份有限公司", uscc("440300", "MA00EX002"), "SZSE"),
    ("X00003", "演示软件（集团）股份有限公司", uscc("330100", "MA00EX003"), "SZSE"),
    ("X00004", "测试网络安全科技股份有限公司", "", "BSE"),
]

w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["code", "name", "uscc", "exchange"])
w.writerows(ROWS)
