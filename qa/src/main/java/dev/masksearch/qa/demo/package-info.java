/** The engine demo behind {@code bin/demo}: every answer checked against brute force. */
package dev.masksearch.qa.demo;
