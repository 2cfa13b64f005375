package io.strand.dist;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Lays out the release archive as an unpacked directory from the same assembly descriptor that
 * {@code mvn package} builds {@code strand-VERSION.tar.gz} with ({@code dist/src/assembly/release.xml}),
 * for {@link ReleaseArchiveTest}, which runs during {@code mvn test}, before anything is packaged.
 *
 * <p>It reads exactly the descriptor elements the archive uses (file sets with includes and modes, single
 * files, one runtime dependency set) and throws on any other element or property, so that a change to
 * the descriptor that this class would lay out differently fails the test instead of passing unseen. The
 * dependency set's jars come from the runtime classpath Maven wrote for this module
 * ({@code dependency:build-classpath}, the same resolution the dependency set makes); a reactor module
 * that is not packaged yet appears there as its classes directory and is jarred here under the name the
 * archive gives it ({@code artifactId-version.jar}).
 *
 * <p>Stateless; used from one test thread.
 */
final class ReleaseLayout {
    private static final Set<String> ASSEMBLY_ELEMENTS =
            Set.of("id", "formats", "includeBaseDirectory", "baseDirectory", "fileSets", "files", "dependencySets");
    private static final Set<String> FILE_SET_ELEMENTS =
            Set.of("directory", "outputDirectory", "includes", "excludes", "fileMode", "directoryMode");
    private static final Set<String> FILE_ELEMENTS = Set.of("source", "outputDirectory", "destName", "fileMode");
    private static final Set<String> DEPENDENCY_SET_ELEMENTS =
            Set.of("outputDirectory", "scope", "useProjectArtifact", "fileMode", "directoryMode");
    private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");

    private final Path moduleDir;
    private final String version;

    private ReleaseLayout(Path moduleDir, String version) {
        this.moduleDir = moduleDir;
        this.version = version;
    }

    /**
     * Lays out the archive's top directory under {@code target} and returns it.
     *
     * @param descriptor the assembly descriptor, in {@code <module>/src/assembly/}
     * @param version the project version
     * @param runtimeClasspath the file holding the module's runtime classpath (path-separated)
     * @param target an empty directory
     */
    static Path layOut(Path descriptor, String version, Path runtimeClasspath, Path target) throws Exception {
        Path moduleDir = descriptor.toAbsolutePath().getParent().getParent().getParent();
        return new ReleaseLayout(moduleDir, version).layOut(descriptor, runtimeClasspath, target);
    }

    private Path layOut(Path descriptor, Path runtimeClasspath, Path target) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Element assembly =
                factory.newDocumentBuilder().parse(descriptor.toFile()).getDocumentElement();
        check(assembly, ASSEMBLY_ELEMENTS);
        if (!List.of("tar.gz").equals(texts(child(assembly, "formats"), "format"))) {
            throw new IllegalStateException("the descriptor's formats are not [tar.gz]: change ReleaseLayout too");
        }
        if (!"true".equals(text(assembly, "includeBaseDirectory"))) {
            throw new IllegalStateException("the archive has no base directory: change ReleaseLayout too");
        }
        Path root = target.resolve(text(assembly, "baseDirectory"));
        Files.createDirectories(root);
        for (Element fileSet : children(child(assembly, "fileSets"), "fileSet")) {
            copyFileSet(fileSet, root);
        }
        for (Element file : children(child(assembly, "files"), "file")) {
            copyFile(file, root);
        }
        for (Element dependencySet : children(child(assembly, "dependencySets"), "dependencySet")) {
            copyDependencies(dependencySet, runtimeClasspath, root);
        }
        return root;
    }

    private void copyFileSet(Element fileSet, Path root) throws IOException {
        check(fileSet, FILE_SET_ELEMENTS);
        Path from = path(text(fileSet, "directory"));
        Path to = output(root, text(fileSet, "outputDirectory"));
        List<PathMatcher> includes = matchers(texts(child(fileSet, "includes"), "include"));
        List<PathMatcher> excludes = matchers(texts(child(fileSet, "excludes"), "exclude"));
        Set<PosixFilePermission> fileMode = mode(text(fileSet, "fileMode"));
        Set<PosixFilePermission> directoryMode = mode(text(fileSet, "directoryMode"));
        List<Path> files;
        try (Stream<Path> walk = Files.walk(from)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        for (Path file : files) {
            Path relative = from.relativize(file);
            boolean included = includes.isEmpty() || includes.stream().anyMatch(m -> m.matches(relative));
            if (!included || excludes.stream().anyMatch(m -> m.matches(relative))) {
                continue;
            }
            Path dest = to.resolve(relative.toString());
            createDirectories(dest.getParent(), to, directoryMode);
            Files.copy(file, dest, StandardCopyOption.COPY_ATTRIBUTES);
            setMode(dest, fileMode);
        }
    }

    private void copyFile(Element file, Path root) throws IOException {
        check(file, FILE_ELEMENTS);
        Path source = path(text(file, "source"));
        Path to = output(root, text(file, "outputDirectory"));
        String name = text(file, "destName");
        Path dest = to.resolve(name == null ? source.getFileName().toString() : name);
        Files.createDirectories(dest.getParent());
        Files.copy(source, dest, StandardCopyOption.COPY_ATTRIBUTES);
        setMode(dest, mode(text(file, "fileMode")));
    }

    private void copyDependencies(Element dependencySet, Path runtimeClasspath, Path root) throws Exception {
        check(dependencySet, DEPENDENCY_SET_ELEMENTS);
        if (!"runtime".equals(text(dependencySet, "scope"))) {
            throw new IllegalStateException("the dependency set's scope is not runtime, the scope of "
                    + runtimeClasspath + ": change ReleaseLayout and the dependency plugin's execution too");
        }
        if (!"false".equals(text(dependencySet, "useProjectArtifact"))) {
            throw new IllegalStateException(
                    "the dependency set takes the project's own artifact: change ReleaseLayout");
        }
        Path to = output(root, text(dependencySet, "outputDirectory"));
        Files.createDirectories(to);
        Set<PosixFilePermission> fileMode = mode(text(dependencySet, "fileMode"));
        String classpath = Files.readString(runtimeClasspath).strip();
        for (String entry : classpath.split(java.io.File.pathSeparator)) {
            Path path = Path.of(entry);
            Path dest;
            if (Files.isDirectory(path)) {
                // a reactor module, compiled but not packaged: <module>/target/classes
                dest = to.resolve(artifactId(path.getParent().getParent().resolve("pom.xml")) + "-" + version + ".jar");
                jar(path, dest);
            } else {
                dest = to.resolve(path.getFileName().toString());
                Files.copy(path, dest);
            }
            setMode(dest, fileMode);
        }
    }

    private static String artifactId(Path pom) throws Exception {
        Element project = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(pom.toFile())
                .getDocumentElement();
        return child(project, "artifactId").getTextContent().strip();
    }

    private static void jar(Path classes, Path dest) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        try (OutputStream out = Files.newOutputStream(dest);
                JarOutputStream jar = new JarOutputStream(out, manifest)) {
            for (Path file : files) {
                String name = classes.relativize(file).toString().replace(java.io.File.separatorChar, '/');
                if (name.equals("META-INF/MANIFEST.MF")) {
                    continue;
                }
                jar.putNextEntry(new JarEntry(name));
                Files.copy(file, jar);
                jar.closeEntry();
            }
        }
    }

    /** A descriptor's path: relative ones are relative to the module, as Maven reads them. */
    private Path path(String value) {
        return moduleDir.resolve(value).normalize();
    }

    /** The directory an {@code outputDirectory} names under the archive's root. */
    private static Path output(Path root, String outputDirectory) {
        Path dir = outputDirectory == null || outputDirectory.equals(".")
                ? root
                : root.resolve(outputDirectory).normalize();
        if (!dir.startsWith(root)) {
            throw new IllegalStateException("outputDirectory " + outputDirectory + " leaves the archive");
        }
        return dir;
    }

    private static void createDirectories(Path dir, Path top, Set<PosixFilePermission> mode) throws IOException {
        Files.createDirectories(dir);
        for (Path d = dir; d != null && d.startsWith(top); d = d.getParent()) {
            setMode(d, mode);
        }
    }

    private static List<PathMatcher> matchers(List<String> patterns) {
        List<PathMatcher> out = new ArrayList<>();
        for (String p : patterns) {
            out.add(FileSystems.getDefault().getPathMatcher("glob:" + p));
        }
        return out;
    }

    /** An octal mode such as 0755; null for none (the source file's mode is kept). */
    private static Set<PosixFilePermission> mode(String octal) {
        if (octal == null) {
            return null;
        }
        int bits = Integer.parseInt(octal, 8);
        StringBuilder rwx = new StringBuilder();
        for (int shift = 6; shift >= 0; shift -= 3) {
            int b = (bits >> shift) & 7;
            rwx.append((b & 4) != 0 ? 'r' : '-')
                    .append((b & 2) != 0 ? 'w' : '-')
                    .append((b & 1) != 0 ? 'x' : '-');
        }
        return java.nio.file.attribute.PosixFilePermissions.fromString(rwx.toString());
    }

    private static void setMode(Path path, Set<PosixFilePermission> mode) throws IOException {
        if (mode != null) {
            Files.setPosixFilePermissions(path, mode);
        }
    }

    // ------------------------------------------------------------------ the descriptor's XML

    private static void check(Element element, Set<String> known) {
        for (Element c : children(element, null)) {
            if (!known.contains(c.getTagName())) {
                throw new IllegalStateException(
                        "ReleaseLayout does not lay out <" + c.getTagName() + "> in <" + element.getTagName()
                                + ">: teach it, or the test would not run the archive mvn package builds");
            }
        }
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        if (parent == null) {
            return out;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && (name == null || e.getTagName().equals(name))) {
                out.add(e);
            }
        }
        return out;
    }

    private static Element child(Element parent, String name) {
        List<Element> c = children(parent, name);
        return c.isEmpty() ? null : c.get(0);
    }

    private String text(Element parent, String name) {
        Element c = child(parent, name);
        return c == null ? null : interpolate(c.getTextContent().strip());
    }

    private List<String> texts(Element parent, String name) {
        return children(parent, name).stream()
                .map(e -> interpolate(e.getTextContent().strip()))
                .toList();
    }

    private String interpolate(String value) {
        Map<String, String> properties = Map.of("project.basedir", moduleDir.toString(), "project.version", version);
        Matcher m = PROPERTY.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = properties.get(m.group(1));
            if (v == null) {
                throw new IllegalStateException("ReleaseLayout knows no ${" + m.group(1) + "}: teach it");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }
}
