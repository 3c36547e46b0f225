package io.lionfuncs.sample.demo;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the demo endpoints.
 */
@ConfigurationProperties("sample.demo")
public class DemoProperties {

	/**
	 * Model named in the chat requests a burst sends; the fake upstream accepts any name,
	 * a real provider needs one it serves.
	 */
	private String model = "fake-1";

	public String getModel() {
		return this.model;
	}

	public void setModel(String model) {
		this.model = model;
	}

}
