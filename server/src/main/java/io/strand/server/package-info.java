package io.strand.server;
