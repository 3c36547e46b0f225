package io.lionfuncs.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The files under a directory, as relative paths, for comparing what a test wrote where.
 */
final class FileTree {

	private FileTree() {
	}

	/**
	 * Every regular file and directory under {@code root}, relative to it, except those
	 * under the given sub-directories.
	 * @param root the directory
	 * @param excluded sub-directories left out
	 * @return the relative paths, sorted
	 */
	static Set<String> under(Path root, Path... excluded) {
		try (Stream<Path> paths = Files.walk(root)) {
			Set<String> found = new TreeSet<>();
			paths.filter((path) -> !path.equals(root))
				.filter((path) -> Stream.of(excluded).noneMatch(path::startsWith))
				.forEach((path) -> found.add(root.relativize(path).toString()));
			return found;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
