package io.lionfuncs.network.intercept;

import java.net.URI;
import java.util.List;

import io.lionfuncs.network.Executor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link InterceptRoute} and {@link InterceptRoutes}: a request is governed when
 * its scheme, host and port are the base URL's and its path lies under the base URL's.
 */
class InterceptRouteTests {

	private static InterceptRoute route(String name, String baseUrl) {
		return InterceptRoute.of(name, baseUrl, () -> {
			throw new AssertionError("not looked up");
		});
	}

	@Test
	void matchesTheOriginAndThePathPrefixBySegment() {
		InterceptRoute route = route("openai", "https://api.example.net/v1/");

		assertThat(route.matches(URI.create("https://api.example.net/v1"))).isTrue();
		assertThat(route.matches(URI.create("https://api.example.net/v1/chat/completions"))).isTrue();
		assertThat(route.matches(URI.create("HTTPS://API.Example.net:443/v1/chat/completions?x=1"))).isTrue();
		assertThat(route.matches(URI.create("https://api.example.net/v10/chat"))).isFalse();
		assertThat(route.matches(URI.create("https://api.example.net/v2/chat"))).isFalse();
		assertThat(route.matches(URI.create("https://api.example.net/v1/../admin"))).isFalse();
		assertThat(route.matches(URI.create("http://api.example.net/v1/chat"))).isFalse();
		assertThat(route.matches(URI.create("https://api.example.net:8443/v1/chat"))).isFalse();
		assertThat(route.matches(URI.create("https://api.example.net.other.example/v1/chat"))).isFalse();
	}

	@Test
	void aBaseUrlWithoutPathCoversTheWholeOrigin() {
		InterceptRoute route = route("local", "http://127.0.0.1:8080");

		assertThat(route.matches(URI.create("http://127.0.0.1:8080/"))).isTrue();
		assertThat(route.matches(URI.create("http://127.0.0.1:8080/anything/at/all"))).isTrue();
		assertThat(route.matches(URI.create("http://127.0.0.1:8081/anything"))).isFalse();
		assertThat(route("plain", "http://example.com").matches(URI.create("http://example.com:80/x"))).isTrue();
	}

	@Test
	void theMostSpecificRouteWins() {
		InterceptRoutes routes = InterceptRoutes.of(List.of(route("api", "https://gateway.example.com"),
				route("llm", "https://gateway.example.com/llm")));

		assertThat(routes.find(URI.create("https://gateway.example.com/llm/chat")).name()).isEqualTo("llm");
		assertThat(routes.find(URI.create("https://gateway.example.com/users")).name()).isEqualTo("api");
		assertThat(routes.find(URI.create("https://other.example.com/llm/chat"))).isNull();
	}

	@Test
	void onlyAbsoluteHttpUrlsAreBaseUrls() {
		assertThatIllegalArgumentException().isThrownBy(() -> route("x", "/v1"));
		assertThatIllegalArgumentException().isThrownBy(() -> route("x", "ftp://example.com"));
		assertThatIllegalArgumentException().isThrownBy(() -> route("x", "http://exa mple.com"));
	}

	@Test
	void theExecutorIsLookedUpWhenFirstNeeded() {
		Executor executor = new Executor(io.lionfuncs.network.ExecutorSettings.defaults());
		int[] lookups = { 0 };
		InterceptRoute route = InterceptRoute.of("x", "http://example.com", () -> {
			lookups[0]++;
			return executor;
		});
		assertThat(lookups[0]).isZero();
		assertThat(route.executor()).isSameAs(executor);
	}

}
