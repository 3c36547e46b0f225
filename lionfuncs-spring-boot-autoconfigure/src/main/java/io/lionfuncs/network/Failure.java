package io.lionfuncs.network;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import org.jspecify.annotations.Nullable;

/**
 * A failure as recorded on a request's event: computed before the terminal change is
 * claimed, since a stack trace is slow to print.
 */
record Failure(Throwable error, String type, String message, String details,
		@Nullable ResponseDetails response) {

	private static final int MAX_ERROR_DETAILS_LENGTH = 8192;

	static Failure of(Throwable error) {
		Throwable cause = unwrap(error);
		return new Failure(cause, cause.getClass().getName(), String.valueOf(cause.getMessage()), stackTrace(cause),
				(cause instanceof ResponseDetails response) ? response : null);
	}

	private static Throwable unwrap(Throwable error) {
		Throwable current = error;
		while ((current instanceof CompletionException || current instanceof ExecutionException)
				&& current.getCause() != null) {
			current = current.getCause();
		}
		return current;
	}

	private static String stackTrace(Throwable error) {
		StringWriter writer = new StringWriter();
		error.printStackTrace(new PrintWriter(writer));
		String trace = writer.toString();
		return (trace.length() <= MAX_ERROR_DETAILS_LENGTH) ? trace
				: trace.substring(0, MAX_ERROR_DETAILS_LENGTH) + "... (truncated)";
	}

}
