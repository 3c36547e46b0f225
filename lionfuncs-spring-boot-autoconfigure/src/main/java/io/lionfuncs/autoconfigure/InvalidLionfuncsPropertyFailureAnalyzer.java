package io.lionfuncs.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains an {@link InvalidLionfuncsPropertyException}: which key, which value, and
 * what to set instead.
 *
 * @since 0.1.0
 */
class InvalidLionfuncsPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidLionfuncsPropertyException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidLionfuncsPropertyException cause) {
		String description = "Invalid value '" + cause.getValue() + "' for configuration property '"
				+ cause.getProperty() + "'.";
		String action = "Update your application's configuration: set '" + cause.getProperty() + "' to "
				+ cause.getFix() + ".";
		return new FailureAnalysis(description, action, cause);
	}

}
