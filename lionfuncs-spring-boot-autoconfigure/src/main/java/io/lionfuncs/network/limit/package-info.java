/**
 * Rate and concurrency limits used by the {@link io.lionfuncs.network.Executor}: token
 * buckets (reserved, not peeked, built on Bucket4j) and a non-blocking concurrency
 * limiter.
 */
@NullMarked
package io.lionfuncs.network.limit;

import org.jspecify.annotations.NullMarked;
