#!/usr/bin/python3
"""pacparser (Debian python3-pacparser, SpiderMonkey) driven like pac_eval_bench:
   /usr/bin/python3 pacparser_driver.py dump|throughput PAC URLS [SECONDS]"""
import sys
import time

import pacparser


def main():
    mode, pac_path, urls_path = sys.argv[1:4]
    reqs = [line.rstrip("\n").split("\t") for line in open(urls_path) if "\t" in line]
    pacparser.init()
    pacparser.parse_pac_string(open(pac_path).read())
    if mode == "dump":
        for url, host in reqs:
            print(pacparser.find_proxy(url, host))
        return
    for url, host in reqs:  # warm-up: one pass
        pacparser.find_proxy(url, host)
    count = 0
    cpu_start = time.process_time()  # user + system time of the process
    start = time.monotonic()
    deadline = start + float(sys.argv[4])
    while time.monotonic() < deadline:
        for url, host in reqs:
            pacparser.find_proxy(url, host)
        count += len(reqs)
    wall = time.monotonic() - start
    cpu = time.process_time() - cpu_start
    print("evals_per_sec %d evals_per_cpu_sec %d" % (round(count / wall), round(count / cpu)))


if __name__ == "__main__":
    main()
