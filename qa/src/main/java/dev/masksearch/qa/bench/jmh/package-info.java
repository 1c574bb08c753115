/** JMH micro-benchmarks ({@code bin/bench jmh}). */
package dev.masksearch.qa.bench.jmh;
