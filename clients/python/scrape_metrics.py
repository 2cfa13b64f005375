#!/usr/bin/env python3
"""Scrapes Prometheus endpoints and parses each scrape with the Prometheus Python client's text
parser (Debian's python3-prometheus-client), which raises on anything that is not valid exposition
format. Prints one line per sample: URL_INDEX<TAB>NAME<TAB>FAMILY_TYPE<TAB>LABELS_AS_SORTED_JSON<TAB>VALUE,
and after each scrape "scraped URL_INDEX families N samples M".

usage: scrape_metrics.py URL...
"""
import json
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def main():
    for index, url in enumerate(sys.argv[1:]):
        with urllib.request.urlopen(url, timeout=10) as response:
            if response.status != 200:
                raise SystemExit("%s: HTTP %d" % (url, response.status))
            text = response.read().decode("utf-8")
        families = samples = 0
        for family in text_string_to_metric_families(text):
            families += 1
            for s in family.samples:
                samples += 1
                print("%d\t%s\t%s\t%s\t%r" % (
                    index, s.name, family.type, json.dumps(s.labels, sort_keys=True), s.value))
        print("scraped %d families %d samples %d" % (index, families, samples))


if __name__ == "__main__":
    main()
