package dev.ktstr.vmm.btf;

/**
 * A struct member located by a dotted path such as {@code scx.local_dsq.nr}.
 *
 * @param path       the path as asked
 * @param offset     byte offset from the start of the outermost struct
 * @param size       byte size of the member's (modifier-stripped) type
 * @param typeName   name of that type ("" for anonymous types), for diagnostics
 * @param bitfield   true if the final member is a bitfield (offset/size are then not byte exact)
 */
public record ResolvedField(String path, long offset, long size, String typeName, boolean bitfield) {}
