package io.strand.coordinator;
