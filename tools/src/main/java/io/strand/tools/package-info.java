package io.strand.tools;
