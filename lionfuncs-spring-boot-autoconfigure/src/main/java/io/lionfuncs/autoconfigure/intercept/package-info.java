/**
 * Auto-configuration of the governing of calls other HTTP clients make (RestClient,
 * WebClient, Spring AI, LangChain4j), each adapter guarded by the presence of its client.
 */
@NullMarked
package io.lionfuncs.autoconfigure.intercept;

import org.jspecify.annotations.NullMarked;
