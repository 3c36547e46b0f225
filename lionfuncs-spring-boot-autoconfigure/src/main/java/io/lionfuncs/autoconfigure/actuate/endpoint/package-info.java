/**
 * The {@code lionfuncs} actuator endpoint: executors, clients, connections, event
 * handlers and shared rate limiters, and one request by its id.
 */
@NullMarked
package io.lionfuncs.autoconfigure.actuate.endpoint;

import org.jspecify.annotations.NullMarked;
