package io.strand.wal;
