package io.lionfuncs.reliability;

/**
 * A class that must never be loaded by name from configuration: initialising it leaves
 * a mark that the hostile-input test looks for.
 */
final class Canary {

	static final String LOADED = "lionfuncs.reliability.canary.loaded";

	static {
		System.setProperty(LOADED, "true");
	}

	private Canary() {
	}

}
