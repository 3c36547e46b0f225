package io.lionfuncs.quickstart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that the README's Quick start shows this module as it is: each Java block is a
 * file of package {@code com.example.summaries}, and each file of it is in the README;
 * the YAML block is its {@code application.yml}; the XML block holds the dependencies of
 * its pom, so a paste of the Quick start builds and runs as this module does.
 */
class ReadmeQuickStartTests {

	private static final Path MODULE = Path.of(System.getProperty("quickstart.module", "."));

	private static final Path README = Path.of(System.getProperty("quickstart.readme", "../README.md"));

	private static final Path SOURCES = MODULE.resolve("src/test/java");

	private static final Pattern BLOCK = Pattern.compile("^```(\\w+)\\n(.*?)^```$", Pattern.DOTALL | Pattern.MULTILINE);

	private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);$", Pattern.MULTILINE);

	private static final Pattern TYPE = Pattern.compile("^(?:public )?(?:final )?(?:class|interface|record|enum) (\\w+)",
			Pattern.MULTILINE);

	@Test
	void everyJavaBlockIsAFileOfTheQuickStartPackage() throws IOException {
		List<String> java = blocks("java");
		assertThat(java).isNotEmpty();
		for (String block : java) {
			Path file = sourceFile(block);
			assertThat(file).as("the file of this block:%n%s", block).isRegularFile();
			assertThat(block).as("the README's copy of %s", MODULE.relativize(file)).isEqualTo(Files.readString(file));
		}
	}

	@Test
	void everyFileOfTheQuickStartPackageIsInTheReadme() throws IOException {
		List<Path> shown = new ArrayList<>();
		for (String block : blocks("java")) {
			shown.add(sourceFile(block));
		}
		try (Stream<Path> files = Files.walk(SOURCES.resolve("com/example"))) {
			assertThat(files.filter(Files::isRegularFile)).containsExactlyInAnyOrderElementsOf(shown);
		}
	}

	@Test
	void yamlBlockIsTheApplicationYml() throws IOException {
		Path applicationYml = MODULE.resolve("src/test/resources/application.yml");
		assertThat(blocks("yaml")).containsExactly(Files.readString(applicationYml));
	}

	@Test
	void xmlBlockHoldsTheDependenciesOfThisModule() throws IOException {
		List<String> xml = blocks("xml");
		assertThat(xml).hasSize(1);
		String version = System.getProperty("quickstart.version", "0.1.0-SNAPSHOT");
		assertThat(xml.get(0)).contains("<version>" + version + "</version>");
		String shown = collapsed(xml.get(0).replace("<version>" + version + "</version>",
				"<version>${project.version}</version>"));
		assertThat(collapsed(Files.readString(MODULE.resolve("pom.xml")))).contains(shown);
	}

	/**
	 * The fenced blocks of a language in the Quick start section, each with its final
	 * line break, as a file holds it.
	 */
	private static List<String> blocks(String language) throws IOException {
		String readme = Files.readString(README);
		int start = readme.indexOf("\n## Quick start");
		assertThat(start).as("a Quick start section in %s", README).isNotNegative();
		int end = readme.indexOf("\n## ", start + 1);
		String section = readme.substring(start, (end < 0) ? readme.length() : end);
		List<String> blocks = new ArrayList<>();
		Matcher matcher = BLOCK.matcher(section);
		while (matcher.find()) {
			if (matcher.group(1).equals(language)) {
				blocks.add(matcher.group(2));
			}
		}
		return blocks;
	}

	private static Path sourceFile(String javaBlock) {
		Matcher packageName = PACKAGE.matcher(javaBlock);
		Matcher typeName = TYPE.matcher(javaBlock);
		assertThat(packageName.find()).as("a package declaration in%n%s", javaBlock).isTrue();
		assertThat(typeName.find()).as("a type declaration in%n%s", javaBlock).isTrue();
		return SOURCES.resolve(packageName.group(1).replace('.', '/')).resolve(typeName.group(1) + ".java");
	}

	private static String collapsed(String text) {
		return text.replaceAll("\\s+", " ").trim();
	}

}
