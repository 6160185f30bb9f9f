# GENERATED demo yearbook for the province panel: NOT statistical-yearbook data.
# Deterministic (own LCG, seed below; no awk rand()), so the file is reproducible byte for byte:
#   awk -f gen_yearbook.awk ../../provinces.csv > yearbook_demo.csv
# Each province gets a random size factor; every indicator is a plausible magnitude times that
# factor, grown by a random rate per year. Tibet (54) is written too: the clean stage must
# ignore it (not in the panel). The national exchange rate row uses province_code 00.
function rnd() { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }  # Park-Miller, exact in doubles
function r(lo, hi) { return lo + (hi - lo) * rnd() }
function row(code, year, ind, v, unit, fmt) {
  printf "%s,%d,%s," fmt ",%s,GENERATED demo (gen_yearbook.awk seed 20261121)\n", code, year, ind, v, unit
}
BEGIN { FS = ","; seed = 20261121; y0 = 2016; y1 = 2023
  print "province_code,year,indicator,value,unit,source" }
NR > 1 && $1 != "" { codes[++n] = $1 }
END {
  for (t = y0; t <= y1; t++) row("00", t, "exchange_rate", r(620, 720), "yuan per 100 usd", "%.2f")
  for (i = 1; i <= n; i++) {
    c = codes[i]; f = r(0.05, 1.0); g = r(0.03, 0.09); area = r(1, 120); pop = r(400, 12000) * f + 300
    for (t = y0; t <= y1; t++) {
      k = (1 + g) ^ (t - y0)
      gdp = (2000 + 80000 * f) * k
      row(c, t, "websites_per_100", r(35, 70), "per 100 enterprises", "%.1f")
      row(c, t, "ecommerce_share", r(4, 15) + 6 * f, "%", "%.1f")
      row(c, t, "ecommerce_sales", gdp * r(0.05, 0.25), "100m yuan", "%.1f")
      row(c, t, "ecommerce_purchases", gdp * r(0.03, 0.15), "100m yuan", "%.1f")
      row(c, t, "online_retail", gdp * r(0.01, 0.12), "100m yuan", "%.1f")
      row(c, t, "telecom_volume", gdp * r(0.02, 0.08), "100m yuan", "%.1f")
      row(c, t, "software_revenue", gdp * f * r(0.01, 0.15), "100m yuan", "%.1f")
      row(c, t, "it_services_revenue", gdp * f * r(0.005, 0.1), "100m yuan", "%.1f")
      row(c, t, "software_firms", int(50 + 4000 * f * f * k * r(0.8, 1.2)), "enterprises", "%d")
      row(c, t, "electronics_firms", int(20 + 2500 * f * k * r(0.8, 1.2)), "enterprises", "%d")
      row(c, t, "gdp", gdp, "100m yuan", "%.1f")
      row(c, t, "budget_expenditure", gdp * r(0.12, 0.35), "100m yuan", "%.1f")
      row(c, t, "population", pop * (1 + 0.004 * (t - y0)), "10k persons", "%.0f")
      row(c, t, "area", area, "10k km2", "%.2f")
      sec = gdp * r(0.3, 0.45)
      row(c, t, "secondary_va", sec, "100m yuan", "%.1f")
      row(c, t, "tertiary_va", gdp * r(0.45, 0.6), "100m yuan", "%.1f")
      row(c, t, "retail_sales", gdp * r(0.3, 0.45), "100m yuan", "%.1f")
      row(c, t, "tech_market_turnover", gdp * r(0.005, 0.03) * 10000, "10k yuan", "%.0f")
      row(c, t, "fdi", gdp * r(0.005, 0.03) * 10000 / 6.8 * 1, "10k usd", "%.0f")
      row(c, t, "postal_telecom", gdp * r(0.02, 0.06), "100m yuan", "%.1f")
      row(c, t, "loans", gdp * r(1.0, 2.2), "100m yuan", "%.1f")
    }
  }
}
