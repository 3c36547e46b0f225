package io.lionfuncs.network.intercept.spring;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpHeaders;

/**
 * Spring's headers as the executor reads them: one value per name.
 */
final class SpringHeaders {

	private SpringHeaders() {
	}

	static Map<String, String> single(HttpHeaders headers) {
		Map<String, String> single = new LinkedHashMap<>();
		for (Map.Entry<String, List<String>> header : headers.headerSet()) {
			List<String> values = header.getValue();
			if (values != null && !values.isEmpty()) {
				single.put(header.getKey(), (values.size() == 1) ? values.get(0) : String.join(", ", values));
			}
		}
		return single;
	}

}
