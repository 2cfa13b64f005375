#!/usr/bin/env python3
"""Scrapes Prometheus endpoints and parses each scrape with the Prometheus Python client's text
parser (Debian's python3-prometheus-client), which raises on anything that is not valid exposition
format. Prints one line per sample: URL_INDEX<TAB>NAME<TAB>FAMILY_TYPE<TAB>LABELS_AS_SORTED_JSON<TAB>VALUE,
and after each scrape "scraped URL_INDEX families N samples M". With --openmetrics it asks for the
OpenMetrics format instead and parses it with the client's (stricter) OpenMetrics parser.

usage: scrape_metrics.py [--openmetrics] URL...
"""
import json
import sys
import urllib.request

from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics_families
from prometheus_client.parser import text_string_to_metric_families

OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8"


def main():
    args = sys.argv[1:]
    open_metrics = args[:1] == ["--openmetrics"]
    if open_metrics:
        args = args[1:]
    parse = openmetrics_families if open_metrics else text_string_to_metric_families
    for index, url in enumerate(args):
        request = urllib.request.Request(url, headers={"Accept": OPENMETRICS} if open_metrics else {})
        with urllib.request.urlopen(request, timeout=10) as response:
            if response.status != 200:
                raise SystemExit("%s: HTTP %d" % (url, response.status))
            if open_metrics and not response.headers.get("Content-Type", "").startswith("application/openmetrics-text"):
                raise SystemExit("%s: not OpenMetrics: %s" % (url, response.headers.get("Content-Type")))
            text = response.read().decode("utf-8")
        families = samples = 0
        for family in parse(text):
            families += 1
            for s in family.samples:
                samples += 1
                print("%d\t%s\t%s\t%s\t%r" % (
                    index, s.name, family.type, json.dumps(s.labels, sort_keys=True), s.value))
        print("scraped %d families %d samples %d" % (index, families, samples))


if __name__ == "__main__":
    main()
