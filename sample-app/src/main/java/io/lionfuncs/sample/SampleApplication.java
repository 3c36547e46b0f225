package io.lionfuncs.sample;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A service that calls a rate-limited API through lionfuncs.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

	@Bean(initMethod = "start", destroyMethod = "close")
	Executor executor() {
		return new Executor(ExecutorSettings.defaults());
	}

}
