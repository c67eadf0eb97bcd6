package io.isola.launcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isola.launcher.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code docs/cli-reference.md}, every verb and option as the parser knows them (the one bin/isola
 * runs: {@link Main#commandLine}), is what this test generates: a verb or option added, changed or
 * removed without the page fails here, naming the difference. After a deliberate change, write the
 * page again with {@code mvn verify -pl launcher -am -Dtest=CliReferenceTest
 * -Disola.golden.update=true ...} and read the diff.
 */
class CliReferenceTest {

    private static final Path PAGE = Path.of("../docs/cli-reference.md");
    /** The synopses are wrapped as a terminal of this width would show them. */
    private static final int WIDTH = 100;

    @Test
    void theReferencePageIsTheParsersOwn() throws IOException {
        String generated = markdown();
        if (Boolean.getBoolean("isola.golden.update")) {
            Files.writeString(PAGE, generated, StandardCharsets.UTF_8);
        }
        assertEquals(
                generated,
                Files.readString(PAGE, StandardCharsets.UTF_8),
                PAGE + " is not what the parser says: write it again with -Disola.golden.update=true");
    }

    static String markdown() {
        StringWriter ignored = new StringWriter();
        CommandLine cli = Main.commandLine(new PrintWriter(ignored), new PrintWriter(ignored));
        StringBuilder page = new StringBuilder();
        page.append("# CLI reference\n\n")
                .append(
                        "Every verb and option of `isola`, generated from its parser (picocli) and checked against it by\n")
                .append("`CliReferenceTest`: do not edit by hand. How they fit together: [cli.md](cli.md).\n");
        command(cli, page);
        return page.toString();
    }

    private static void command(CommandLine command, StringBuilder page) {
        CommandSpec spec = command.getCommandSpec();
        spec.usageMessage().width(WIDTH);
        Help help = new Help(spec, Help.defaultColorScheme(Ansi.OFF));
        page.append("\n## ").append(spec.qualifiedName(" ")).append("\n\n");
        if (spec.aliases().length > 0) {
            page.append("Also: `").append(String.join("`, `", spec.aliases())).append("`.\n\n");
        }
        String description = String.join(" ", spec.usageMessage().description()).strip();
        if (!description.isEmpty()) {
            page.append(description.replace("\n", " ")).append("\n\n");
        }
        page.append("```\n").append(help.synopsis(0).stripTrailing()).append("\n```\n");
        List<ArgSpec> args = spec.args().stream().filter(a -> !a.hidden()).toList();
        if (!args.isEmpty()) {
            page.append("\n| option | value | description |\n| --- | --- | --- |\n");
            for (ArgSpec arg : args) {
                page.append("| ")
                        .append(cell(name(arg)))
                        .append(" | ")
                        .append(cell(value(arg)))
                        .append(" | ")
                        .append(cell(String.join(" ", arg.renderedDescription()).strip()))
                        .append(" |\n");
            }
        }
        for (CommandLine sub : new LinkedHashSet<>(command.getSubcommands().values())) { // aliases: once
            if (!sub.getCommandSpec().usageMessage().hidden()) {
                command(sub, page);
            }
        }
    }

    private static String name(ArgSpec arg) {
        if (arg instanceof OptionSpec option) {
            return "`" + String.join("`, `", option.names()) + "`";
        }
        PositionalParamSpec positional = (PositionalParamSpec) arg;
        return "`" + positional.paramLabel() + "` (argument " + positional.index() + ")";
    }

    private static String value(ArgSpec arg) {
        if (arg instanceof OptionSpec option && option.arity().max() == 0) {
            return "";
        }
        return "`" + arg.paramLabel() + "`";
    }

    /** Text for a table cell: one line, pipes escaped. */
    private static String cell(String text) {
        return text.replace("\n", " ").replace("|", "\\|");
    }
}
