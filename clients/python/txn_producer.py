#!/usr/bin/env python3
"""librdkafka's transactional producer (confluent-kafka, Debian's python3-confluent-kafka) against
Strand: TRANSACTIONS transactions of PER_TXN records "t<n>-<i>" to partition i mod PARTITIONS of
TOPIC, committing the even ones and aborting the odd ones (after a flush, so that aborted records
are in the log). Prints the librdkafka version and "committed N".

usage: txn_producer.py BOOTSTRAP TOPIC PARTITIONS TRANSACTIONS PER_TXN
"""
import sys

from confluent_kafka import Producer, libversion


def main():
    bootstrap, topic = sys.argv[1], sys.argv[2]
    partitions, transactions, per_txn = (int(a) for a in sys.argv[3:6])
    print("librdkafka " + libversion()[0], flush=True)
    p = Producer({
        "bootstrap.servers": bootstrap,
        "transactional.id": "librdkafka-" + topic,
        "enable.idempotence": True,
    })
    p.init_transactions(30)
    committed = 0
    for t in range(transactions):
        p.begin_transaction()
        for i in range(per_txn):
            p.produce(topic, value=("t%d-%d" % (t, i)).encode(), partition=i % partitions)
        p.flush(30)
        if t % 2 == 0:
            p.commit_transaction(30)
            committed += per_txn
        else:
            p.abort_transaction(30)
    print("committed %d" % committed, flush=True)


if __name__ == "__main__":
    main()
