/**
 * The reliability and security suite: the starter under load, faults, stops, crashes,
 * bad configuration, hostile input and secrets. Each test prints one
 * {@code [reliability]} line with its figures.
 */
@NullMarked
package io.lionfuncs.reliability;

import org.jspecify.annotations.NullMarked;
