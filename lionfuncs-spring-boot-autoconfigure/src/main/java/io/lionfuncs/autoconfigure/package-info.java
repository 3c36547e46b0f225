/**
 * Spring Boot auto-configuration for lionfuncs: executors, clients, events and their
 * configuration properties.
 */
@NullMarked
package io.lionfuncs.autoconfigure;

import org.jspecify.annotations.NullMarked;
