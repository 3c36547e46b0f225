package io.lionfuncs.network;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Why a call failed or was cancelled, with the response it failed with, if any.
 */
final class Failed {

	final String type;

	final String message;

	final @Nullable String details;

	final int statusCode;

	final Map<String, String> headers;

	final @Nullable Object body;

	/** The exception itself; {@code null} for a cancellation or a refusal before the call. */
	final @Nullable Throwable error;

	Failed(String type, String message, @Nullable String details, int statusCode, Map<String, String> headers,
			@Nullable Object body, @Nullable Throwable error) {
		this.error = error;
		this.type = type;
		this.message = message;
		this.details = details;
		this.statusCode = statusCode;
		this.headers = headers;
		this.body = body;
	}

}
