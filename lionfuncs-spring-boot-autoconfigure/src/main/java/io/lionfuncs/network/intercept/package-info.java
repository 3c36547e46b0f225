/**
 * Governing the calls other HTTP clients make: a request to the origin of a configured
 * client takes a {@link io.lionfuncs.network.Lease} of that client's executor before it
 * leaves, and ends it with the response (usage, provider headers, 429). The shared logic
 * lives here; the adapters per client kind live in sub-packages.
 */
@NullMarked
package io.lionfuncs.network.intercept;

import org.jspecify.annotations.NullMarked;
