#!/usr/bin/env python3
"""Generates yearbook.example.csv: a GENERATED example of the province yearbook input
(province,year,indicator,value,unit,source). The numbers are invented (simple arithmetic on the
province code), not yearbook figures. Run: python3 gen_yearbook_example.py > yearbook.example.csv"""
import csv
import sys

INDEX = [
    ("websites_per_100_enterprises", "个/百家"),
    ("ecommerce_enterprise_share", "%"),
    ("ecommerce_sales", "亿元"),
    ("ecommerce_purchases", "亿元"),
    ("online_retail_sales", "亿元"),
    ("telecom_business_volume", "亿元"),
    ("software_revenue", "亿元"),
    ("it_services_revenue", "亿元"),
    ("software_it_enterprises", "个"),
    ("electronics_enterprises", "个"),
]
CONTROLS = [
    ("gdp", 10000, "亿元"), ("budget_expenditure", 1500, "亿元"), ("population", 5000, "万人"),
    ("area", 18, "万平方公里"), ("tertiary_va", 5500, "亿元"), ("secondary_va", 4000, "亿元"),
    ("retail_sales", 4000, "亿元"), ("tech_market_turnover", 200, "亿元"),
    ("fdi", 1500000, "万美元"), ("exchange_rate", 689.85, "元/百美元"),
    ("postal_telecom", 1200, "亿元"), ("loans", 15000, "亿元"),
]
SRC = "GENERATED example (gen_yearbook_example.py), not a yearbook figure"

w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["province", "year", "indicator", "value", "unit", "source"])
for prov in ("11", "44", "62"):
    p = int(prov)
    for k, (name, unit) in enumerate(INDEX):
        w.writerow([prov, 2019, name, round(p * (k + 1) / 10 + (p % 7), 2), unit, SRC])
for name, value, unit in CONTROLS:
    w.writerow(["44", 2019, name, value, unit, SRC])
