package io.lionfuncs.sample.demo;

import java.time.Duration;
import java.util.List;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code GET /demo/ai}: asks Spring AI's {@link ChatClient} (OpenAI's API, the embedded
 * fake upstream by default) one or several times at once, streamed or not. The calls go
 * through Spring AI's own HTTP client; the starter governs them because they go to the
 * base URL of {@code lionfuncs.clients.ai}, so they wait in that client's executor and
 * appear in the dashboard like the calls the starter makes itself.
 */
@RestController
public class AiDemoController {

	/** The most calls one request may make. */
	static final int MAX_COUNT = 50;

	private final ChatClient chat;

	public AiDemoController(ChatClient.Builder chatClientBuilder) {
		this.chat = chatClientBuilder.build();
	}

	/**
	 * Asks the model.
	 * @param prompt what to ask
	 * @param stream whether to stream the answers
	 * @param count how many calls to make at once, 1 to {@value #MAX_COUNT}
	 * @return the answers, and how long they took in all
	 */
	@GetMapping("/demo/ai")
	public Mono<AiResult> ask(@RequestParam(defaultValue = "Say hello") String prompt,
			@RequestParam(defaultValue = "false") boolean stream, @RequestParam(defaultValue = "1") int count) {
		if (count < 1 || count > MAX_COUNT) {
			return Mono.error(new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"count must be between 1 and " + MAX_COUNT + " but was " + count));
		}
		long start = System.nanoTime();
		return Flux.range(0, count)
			.flatMap((i) -> answer(prompt, stream), count)
			.collectList()
			.map((answers) -> new AiResult(answers, stream, Duration.ofNanos(System.nanoTime() - start).toMillis()));
	}

	private Mono<String> answer(String prompt, boolean stream) {
		if (stream) {
			return this.chat.prompt(prompt).stream().content().collectList().map((parts) -> String.join("", parts));
		}
		// A blocking call (Spring AI's call() waits on this thread): off the event loop.
		return Mono.fromCallable(() -> String.valueOf(this.chat.prompt(prompt).call().content()))
			.subscribeOn(Schedulers.boundedElastic());
	}

	/**
	 * What {@code /demo/ai} answers.
	 *
	 * @param answers the model's answers
	 * @param streamed whether they were streamed
	 * @param elapsedMillis how long all the calls took
	 */
	public record AiResult(List<String> answers, boolean streamed, long elapsedMillis) {
	}

}
