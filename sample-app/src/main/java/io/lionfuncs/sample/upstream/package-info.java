/**
 * An embedded fake of an LLM provider, so that the sample works offline: rate-limited,
 * reporting usage and OpenAI-style rate-limit headers, with switchable faults.
 */
@NullMarked
package io.lionfuncs.sample.upstream;

import org.jspecify.annotations.NullMarked;
