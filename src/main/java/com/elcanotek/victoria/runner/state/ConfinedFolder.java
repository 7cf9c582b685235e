package com.elcanotek.victoria.runner.state;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * A folder under a root the operator chose (the Victoria home), reached one name at a time without following a
 * symbolic link, with the files in it reached the same way. Containers write into the home and can plant links
 * there: a link the runner followed would have it write, read or delete anything it may on the host (as root with
 * docker: anything at all). Every step goes through the open folder ({@code openat}, {@code fstatat},
 * {@code renameat}, {@code unlinkat} with {@code O_NOFOLLOW}/{@code AT_SYMLINK_NOFOLLOW}, as
 * {@link SecureDirectoryStream} offers them), so a link swapped in after a look is refused all the same. The root
 * itself is the operator's and may be a link. The one step taken by path is creating a folder (Java has no
 * {@code mkdirat}): the new folder is then opened through its parent, so a swap in between fails there, at worst
 * leaving an empty folder where the link pointed.
 *
 * <p>What it makes (folders, files) belongs to the owner of the root, as far as the runner may give it away (as root):
 * a container's agent that runs as the home's owner (docker's user-namespace remap maps the container's root to it; an
 * image's entrypoint may switch to it) can then write its task's folders, which the runner made.
 *
 * <p>One user at a time; close it.
 */
public final class ConfinedFolder implements Closeable {

    private final SecureDirectoryStream<Path> dir;
    /** Where it is, for messages and for the one step taken by path. */
    private final Path path;
    /** Who what it makes is given to: the root's owner and group. */
    private final PosixFileAttributes owner;

    private ConfinedFolder(SecureDirectoryStream<Path> dir, Path path, PosixFileAttributes owner) {
        this.dir = dir;
        this.path = path;
        this.owner = owner;
    }

    /**
     * Opens {@code folder}, which must be {@code root} or under it, refusing a link at any name below the root.
     *
     * @param create whether missing folders are made, the root too
     * @throws LinkRefused when a name on the way is a symbolic link
     * @throws NoSuchFileException when a folder is missing and {@code create} is false
     */
    public static ConfinedFolder open(Path root, Path folder, boolean create) throws IOException {
        Path top = root.toAbsolutePath().normalize();
        Path relative = top.relativize(folder.toAbsolutePath().normalize());
        if (relative.startsWith("..")) {
            throw new IllegalArgumentException(folder + " is not under " + top);
        }
        if (create) {
            Files.createDirectories(top);
        }
        ConfinedFolder current = openRoot(top);
        if (relative.toString().isEmpty()) {
            return current;
        }
        try {
            for (Path name : relative) {
                ConfinedFolder next = current.folder(name.toString(), create);
                current.close();
                current = next;
            }
            return current;
        } catch (IOException | RuntimeException e) {
            current.close();
            throw e;
        }
    }

    private static ConfinedFolder openRoot(Path root) throws IOException {
        DirectoryStream<Path> stream = Files.newDirectoryStream(root);
        if (!(stream instanceof SecureDirectoryStream<Path> secure)) {
            stream.close();
            throw new IOException("this platform cannot open folders without following symbolic links: " + root);
        }
        return new ConfinedFolder(secure, root, Files.readAttributes(root, PosixFileAttributes.class));
    }

    /**
     * The folder {@code name} in this one, refused if it is a link.
     *
     * @param create whether it is made when missing
     */
    public ConfinedFolder folder(String name, boolean create) throws IOException {
        Path child = name(name);
        Optional<BasicFileAttributes> found = attributes(name);
        if (found.isEmpty()) {
            if (!create) {
                throw new NoSuchFileException(shown(name));
            }
            try {
                Files.createDirectory(path.resolve(child));
                giveToOwner(child);
            } catch (FileAlreadyExistsException raced) {
                // made meanwhile: opened below, and refused there if it is no folder
            }
        } else if (found.get().isSymbolicLink()) {
            throw new LinkRefused(shown(name));
        } else if (!found.get().isDirectory()) {
            throw new FileSystemException(shown(name), null, "not a folder");
        }
        try {
            return new ConfinedFolder(dir.newDirectoryStream(child, LinkOption.NOFOLLOW_LINKS), path.resolve(child), owner);
        } catch (FileSystemException e) {
            // a link swapped in since the look above (openat with O_NOFOLLOW refuses it)
            if (isLink(name)) {
                throw new LinkRefused(shown(name));
            }
            throw e;
        }
    }

    /** What {@code name} is, not following it if it is a link; empty when there is nothing of that name. */
    public Optional<BasicFileAttributes> attributes(String name) throws IOException {
        try {
            return Optional.of(dir.getFileAttributeView(name(name), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** The size of the regular file {@code name}, 0 when there is none. @throws LinkRefused when it is a link */
    public long sizeOf(String name) throws IOException {
        Optional<BasicFileAttributes> found = attributes(name);
        if (found.isEmpty()) {
            return 0;
        }
        requireRegularFile(name, found.get());
        return found.get().size();
    }

    /** Reads the regular file {@code name}. @throws LinkRefused when it is a link */
    public InputStream read(String name) throws IOException {
        return Channels.newInputStream(channel(name, Set.of(StandardOpenOption.READ)));
    }

    /**
     * Writes the regular file {@code name}, made when missing.
     *
     * @param append after what it holds, or from scratch
     * @throws LinkRefused when it is a link
     */
    public OutputStream write(String name, boolean append) throws IOException {
        Set<OpenOption> options = new HashSet<>(Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE));
        options.add(append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
        SeekableByteChannel channel = channel(name, options);
        try {
            giveToOwner(name(name));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return Channels.newOutputStream(channel);
    }

    private SeekableByteChannel channel(String name, Set<OpenOption> options) throws IOException {
        Optional<BasicFileAttributes> found = attributes(name);
        if (found.isPresent()) {
            requireRegularFile(name, found.get());
        }
        Set<OpenOption> noFollow = new HashSet<>(options);
        noFollow.add(LinkOption.NOFOLLOW_LINKS);
        try {
            return dir.newByteChannel(name(name), noFollow);
        } catch (FileSystemException e) {
            if (isLink(name)) {
                throw new LinkRefused(shown(name));
            }
            throw e;
        }
    }

    /** Renames {@code from} to {@code to} in this folder, replacing what {@code to} was (a link is replaced, not followed). */
    public void rename(String from, String to) throws IOException {
        dir.move(name(from), dir, name(to));
    }

    /** Removes {@code name}: a file or a link as such, a folder when it is empty. @return false when there was none */
    public boolean delete(String name) throws IOException {
        Optional<BasicFileAttributes> found = attributes(name);
        if (found.isEmpty()) {
            return false;
        }
        try {
            if (found.get().isDirectory()) {
                dir.deleteDirectory(name(name));
            } else {
                dir.deleteFile(name(name));
            }
            return true;
        } catch (NoSuchFileException gone) {
            return false;
        }
    }

    /** Removes {@code name} and, if it is a folder, everything in it; no link is followed. */
    public void deleteTree(String name) throws IOException {
        Optional<BasicFileAttributes> found = attributes(name);
        if (found.isEmpty()) {
            return;
        }
        if (found.get().isDirectory()) {
            try (ConfinedFolder inner = folder(name, false)) {
                for (String entry : inner.names()) {
                    inner.deleteTree(entry);
                }
            }
        }
        try {
            delete(name);
        } catch (DirectoryNotEmptyException refilled) {
            throw new FileSystemException(shown(name), null, "filled again while it was being removed");
        }
    }

    /** The names in this folder, read as they are asked for; one pass. */
    public Iterable<String> names() {
        Iterator<Path> entries = dir.iterator();
        return () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return entries.hasNext();
            }

            @Override
            public String next() {
                return entries.next().getFileName().toString();
            }
        };
    }

    /** Where it is on the host. */
    public Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        dir.close();
    }

    /**
     * Gives {@code child} (made by the runner, never followed) to the root's owner and group. A runner that is not root
     * may not (EPERM), and then what it made stays its own, as it would have without this.
     */
    private void giveToOwner(Path child) throws IOException {
        PosixFileAttributeView view = dir.getFileAttributeView(child, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        PosixFileAttributes now = view.readAttributes();
        try {
            if (!now.owner().equals(owner.owner())) {
                view.setOwner(owner.owner());
            }
            if (!now.group().equals(owner.group())) {
                view.setGroup(owner.group());
            }
        } catch (FileSystemException notRoot) {
            // as anyone but root, only the file's owner (the runner) may have it: nothing to give
        }
    }

    private boolean isLink(String name) {
        try {
            return attributes(name).map(BasicFileAttributes::isSymbolicLink).orElse(false);
        } catch (IOException e) {
            return false;
        }
    }

    private void requireRegularFile(String name, BasicFileAttributes attributes) throws IOException {
        if (attributes.isSymbolicLink()) {
            throw new LinkRefused(shown(name));
        }
        if (!attributes.isRegularFile()) {
            throw new FileSystemException(shown(name), null, "not a regular file");
        }
    }

    /** One name, never a path: a separator or a dot-dot would leave this folder. */
    private static Path name(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a single file name: " + name);
        }
        return Path.of(name);
    }

    private String shown(String name) {
        return path.resolve(name).toString();
    }

    /** A symbolic link where the runner expected a file or a folder: never followed. */
    public static final class LinkRefused extends FileSystemException {

        public LinkRefused(String file) {
            super(file, null, "a symbolic link, refused: the runner never follows a link a container could have planted");
        }
    }
}
