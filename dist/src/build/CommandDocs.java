import io.isola.launcher.Main;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Model.CommandSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes what the distribution ships about its command line, from the very parser bin/isola runs
 * (Main.commandLine with no arguments holds every verb): the bash completion script (picocli's
 * AutoComplete; zsh runs it through bashcompinit) and one AsciiDoc man page per command (picocli's
 * ManPageGenerator), which asciidoctor then turns into troff. Run by dist's pom at package time as
 * a single-file program, so the launcher jar carries no build-only code.
 *
 * <p>Usage: {@code java -cp CLASSPATH CommandDocs COMPLETION_DIR MAN_ADOC_DIR}
 */
public final class CommandDocs {

    private static final String SYNOPSIS_START = "== Synopsis\n\n";
    private static final String SYNOPSIS_END = "// end::picocli-generated-man-section-synopsis[]";
    /** A man page's literal block is not wrapped: picocli wraps it for an 80-column terminal. */
    private static final int SYNOPSIS_WIDTH = 78;

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: CommandDocs COMPLETION_DIR MAN_ADOC_DIR");
        }
        StringWriter ignored = new StringWriter();
        CommandLine cli = Main.commandLine(new PrintWriter(ignored), new PrintWriter(ignored));

        Path completions = Files.createDirectories(Path.of(args[0]));
        Files.writeString(completions.resolve("isola"), AutoComplete.bash("isola", cli), StandardCharsets.UTF_8);

        File manDir = Files.createDirectories(Path.of(args[1])).toFile();
        int status = ManPageGenerator.generateManPage(manDir, null, new boolean[0], true, cli.getCommandSpec());
        if (status != 0) {
            throw new IllegalStateException("picocli's man page generator failed with status " + status);
        }
        plainSynopses(cli, manDir.toPath());
    }

    /**
     * Replaces each page's synopsis with picocli's plain one as a literal block: the generated
     * one marks options up (*--pull*=_missing|always|never_), and labels with brackets or bars
     * (NAME[=VALUE], missing|always|never) break that markup, so asciidoctor drops or mangles them.
     */
    private static void plainSynopses(CommandLine command, Path manDir) throws IOException {
        CommandSpec spec = command.getCommandSpec();
        Path page = manDir.resolve(spec.qualifiedName("-") + ".adoc");
        String adoc = Files.readString(page, StandardCharsets.UTF_8);
        int start = adoc.indexOf(SYNOPSIS_START);
        int end = adoc.indexOf(SYNOPSIS_END);
        if (start < 0 || end < start) {
            throw new IllegalStateException(page + ": no synopsis section where picocli writes one");
        }
        spec.usageMessage().width(SYNOPSIS_WIDTH);
        String synopsis = new Help(spec, Help.defaultColorScheme(Ansi.OFF)).synopsis(0).stripTrailing();
        String replaced = adoc.substring(0, start + SYNOPSIS_START.length()) + "....\n" + synopsis + "\n....\n\n"
                + adoc.substring(end);
        Files.writeString(page, replaced, StandardCharsets.UTF_8);
        for (CommandLine sub : new LinkedHashSet<>(command.getSubcommands().values())) { // aliases: once
            if (!sub.getCommandSpec().usageMessage().hidden()) { // hidden ones have no page
                plainSynopses(sub, manDir);
            }
        }
    }
}
