package dev.ktstr.vmm.initramfs;

/** Validation and normalisation of absolute guest paths used as cpio entry names. */
final class GuestPaths {
    private GuestPaths() {}

    static String requireValid(String guestPath, String what) {
        if (guestPath.isEmpty() || guestPath.charAt(0) != '/') {
            throw new IllegalArgumentException(what + ": guest path '" + guestPath + "' must be absolute (start with '/')");
        }
        for (String part : guestPath.split("/")) {
            if (part.equals("..")) {
                throw new IllegalArgumentException(what + ": guest path '" + guestPath + "' contains '..'; give a path without parent references");
            }
        }
        if (guestPath.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + ": guest path contains a NUL byte");
        }
        return guestPath;
    }

    /** "/a//b/./c/" -> "a/b/c" (cpio names are relative, as the kernel and gen_init_cpio use). */
    static String entryName(String guestPath) {
        StringBuilder sb = new StringBuilder();
        for (String part : guestPath.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (sb.length() > 0) sb.append('/');
            sb.append(part);
        }
        return sb.toString();
    }
}
