package io.lionfuncs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the dependencies between the main packages, read from the imports of the
 * main sources: they are acyclic (a package and its sub-package count as two), the
 * library packages use neither Spring Boot nor the auto-configuration, and the generic
 * event packages use the network packages only in the bridges.
 */
class PackageDependencyTests {

	private static final Path MAIN_SOURCES = Path.of("src", "main", "java");

	private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);

	private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)(?:\\.\\*)?\\s*;",
			Pattern.MULTILINE);

	private static final Map<String, Set<String>> imports = readImports();

	@Test
	void theSourcesAreRead() {
		assertThat(imports).containsKeys("io.lionfuncs.network", "io.lionfuncs.event.request",
				"io.lionfuncs.autoconfigure", "io.lionfuncs.autoconfigure.event",
				"io.lionfuncs.autoconfigure.actuate.endpoint");
		assertThat(imports.get("io.lionfuncs.autoconfigure.event")).contains("io.lionfuncs.autoconfigure",
				"org.springframework.context");
	}

	@Test
	void packagesAreAcyclic() {
		assertThat(cycles()).as("package cycles").isEmpty();
	}

	@Test
	void libraryPackagesUseNeitherSpringBootNorTheAutoConfiguration() {
		imports.forEach((from, to) -> {
			if (isLibrary(from)) {
				assertThat(to).as("imports of %s", from)
					.noneMatch((imported) -> imported.startsWith("org.springframework.boot")
							|| isIn(imported, "io.lionfuncs.autoconfigure"));
			}
		});
	}

	@Test
	void eventPackagesUseTheNetworkPackagesOnlyInTheBridges() {
		imports.forEach((from, to) -> {
			if (isIn(from, "io.lionfuncs.event") && !isIn(from, "io.lionfuncs.event.request")) {
				assertThat(to).as("imports of %s", from).noneMatch((imported) -> isIn(imported, "io.lionfuncs.network"));
			}
		});
	}

	/**
	 * Every cycle found by a depth-first walk of the lionfuncs packages, each as the
	 * packages along it.
	 */
	private static List<String> cycles() {
		List<String> cycles = new ArrayList<>();
		Set<String> done = new HashSet<>();
		for (String start : imports.keySet()) {
			walk(start, new ArrayDeque<>(), new HashSet<>(), done, cycles);
		}
		return cycles;
	}

	private static void walk(String current, Deque<String> path, Set<String> onPath, Set<String> done,
			List<String> cycles) {
		if (onPath.contains(current)) {
			List<String> cycle = new ArrayList<>();
			boolean inCycle = false;
			for (String step : (Iterable<String>) path::descendingIterator) {
				inCycle = inCycle || step.equals(current);
				if (inCycle) {
					cycle.add(step);
				}
			}
			cycle.add(current);
			cycles.add(String.join(" -> ", cycle));
			return;
		}
		if (!done.add(current)) {
			return;
		}
		path.push(current);
		onPath.add(current);
		for (String next : imports.getOrDefault(current, Set.of())) {
			if (isIn(next, "io.lionfuncs")) {
				walk(next, path, onPath, done, cycles);
			}
		}
		onPath.remove(current);
		path.pop();
	}

	private static boolean isLibrary(String name) {
		return isIn(name, "io.lionfuncs.network") || isIn(name, "io.lionfuncs.event");
	}

	private static boolean isIn(String name, String root) {
		return name.equals(root) || name.startsWith(root + ".");
	}

	/**
	 * The packages each main package imports from, by package.
	 */
	private static Map<String, Set<String>> readImports() {
		Map<String, Set<String>> imports = new TreeMap<>();
		try (Stream<Path> files = Files.walk(MAIN_SOURCES)) {
			files.filter((file) -> file.toString().endsWith(".java")).forEach((file) -> {
				String source = read(file);
				Matcher declared = PACKAGE.matcher(source);
				if (!declared.find()) {
					return;
				}
				String from = declared.group(1);
				Set<String> to = imports.computeIfAbsent(from, (key) -> new TreeSet<>());
				Matcher imported = IMPORT.matcher(source);
				while (imported.find()) {
					String importedPackage = packageOf(imported.group(1));
					if (!importedPackage.equals(from)) {
						to.add(importedPackage);
					}
				}
			});
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return imports;
	}

	/**
	 * The package of an imported name: its segments up to the first type, whose name
	 * starts with an upper-case letter.
	 */
	private static String packageOf(String importedName) {
		List<String> segments = new ArrayList<>();
		for (String segment : importedName.split("\\.")) {
			if (Character.isUpperCase(segment.charAt(0))) {
				break;
			}
			segments.add(segment);
		}
		return String.join(".", segments);
	}

	private static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
