/**
 * Lifecycle events of the pooled HTTP connections of an
 * {@link io.lionfuncs.network.client.AsyncApiClient}, in hypercorn's vocabulary:
 * {@link io.lionfuncs.network.connection.ConnectionEvent.RawData RawData},
 * {@link io.lionfuncs.network.connection.ConnectionEvent.Updated Updated} and
 * {@link io.lionfuncs.network.connection.ConnectionEvent.Closed Closed}, produced by a
 * {@link io.lionfuncs.network.connection.ConnectionTracker} from Reactor Netty's
 * connection observer and pool.
 */
@NullMarked
package io.lionfuncs.network.connection;

import org.jspecify.annotations.NullMarked;
