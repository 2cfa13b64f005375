#!/usr/bin/env python3
"""Scrapes a Prometheus endpoint and parses it with the Prometheus Python client's text parser
(Debian's python3-prometheus-client), which raises on anything that is not valid exposition
format. Prints one line per sample: NAME<TAB>FAMILY_TYPE<TAB>LABELS_AS_SORTED_JSON<TAB>VALUE, then
"families N samples M".

usage: scrape_metrics.py URL
"""
import json
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def main():
    with urllib.request.urlopen(sys.argv[1], timeout=10) as response:
        if response.status != 200:
            raise SystemExit("HTTP %d" % response.status)
        text = response.read().decode("utf-8")
    families = samples = 0
    for family in text_string_to_metric_families(text):
        families += 1
        for s in family.samples:
            samples += 1
            print("%s\t%s\t%s\t%r" % (s.name, family.type, json.dumps(s.labels, sort_keys=True), s.value))
    print("families %d samples %d" % (families, samples))


if __name__ == "__main__":
    main()
