/**
 * The Java halves of {@code bench/run}'s sections (embedded latency, throughput, memory,
 * framework start-up). Run on demand by the bench, never by the test suite.
 */
package io.isola.bench;
