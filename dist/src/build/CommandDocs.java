import io.isola.launcher.Main;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;
import picocli.CommandLine;
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

    private static final int MAN_SYNOPSIS_WIDTH = 10_000;

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: CommandDocs COMPLETION_DIR MAN_ADOC_DIR");
        }
        StringWriter ignored = new StringWriter();
        CommandLine cli = Main.commandLine(new PrintWriter(ignored), new PrintWriter(ignored));

        Path completions = Files.createDirectories(Path.of(args[0]));
        Files.writeString(completions.resolve("isola"), AutoComplete.bash("isola", cli), StandardCharsets.UTF_8);

        // one line per synopsis: picocli's wrapped lines split its AsciiDoc markup (*--opt*=_N_)
        // across lines, which asciidoctor then renders literally; man wraps the page itself
        cli.setUsageHelpWidth(MAN_SYNOPSIS_WIDTH);
        File manDir = Files.createDirectories(Path.of(args[1])).toFile();
        int status = ManPageGenerator.generateManPage(manDir, null, new boolean[0], true, cli.getCommandSpec());
        if (status != 0) {
            throw new IllegalStateException("picocli's man page generator failed with status " + status);
        }
    }
}
