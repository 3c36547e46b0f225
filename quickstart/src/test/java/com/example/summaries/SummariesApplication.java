package com.example.summaries;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class SummariesApplication {

	public static void main(String[] args) {
		SpringApplication.run(SummariesApplication.class, args);
	}

}
