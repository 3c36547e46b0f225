/**
 * Rate-limited, tracked execution of calls to external APIs: {@link Executor},
 * {@link NetworkRequestEvent} and {@link RequestStatus}. Plain Java; usable without
 * Spring Boot.
 */
@NullMarked
package io.lionfuncs.network;

import org.jspecify.annotations.NullMarked;
