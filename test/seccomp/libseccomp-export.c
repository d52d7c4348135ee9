/*
 * libseccomp-export: the referee for ocirun's seccomp compiler. It builds a filter with
 * libseccomp the way runc drives it (through libseccomp-golang) from an OCI linux.seccomp
 * object and writes libseccomp's own BPF export to stdout: struct sock_filter, 8 bytes per
 * instruction, host byte order. runc's patchbpf (its -ENOSYS stub) is not applied here; with
 * --last-syscalls it prints instead, for each arch of the filter, what that stub is built from:
 * "<scmp arch token> <largest syscall number the profile names there>" (every rule's names,
 * those with the default's action too, resolved with seccomp_syscall_resolve_name_arch; arches
 * where none resolves are left out), and test/util/libseccomp-referee.ts applies the stub.
 *
 * Build: gcc -O1 -o libseccomp-export libseccomp-export.c -lseccomp
 * (test/util/libseccomp-referee.ts builds it once per test run and writes its input.)
 *
 * Input on stdin, one directive a line; blank lines and lines starting with '#' are skipped.
 * Names drop their OCI prefix (SCMP_ACT_, SCMP_CMP_, SCMP_ARCH_, SECCOMP_FILTER_FLAG_).
 * Numbers are decimal; <errno> is -1 when the OCI field is absent.
 *
 *   default <action> <errno>               required, first: defaultAction, defaultErrnoRet
 *   arch <arch>                            one per architectures[] entry, e.g. X86_64
 *   flag <flag>                            one per flags[] entry, e.g. SPEC_ALLOW
 *   optimize <1|2>                         SCMP_FLTATR_CTL_OPTIMIZE (absent: libseccomp's 1)
 *   rule <name> <action> <errno> <nargs> [<index> <op> <value> <valueTwo>]...
 *                                          one per name of each syscalls[] entry, in order
 *
 * What runc does, and so this program:
 *   - seccomp_init(default action): the filter holds the native arch; each listed arch is
 *     added with seccomp_arch_add, and an arch already present (EEXIST) is not an error;
 *   - KILL and KILL_THREAD give SCMP_ACT_KILL_THREAD; ERRNO and TRACE take <errno>, EPERM
 *     when absent; <errno> is ignored for every other action;
 *   - NOTIFY is refused as the default action and for "write";
 *   - a rule whose action (with its errno) equals the default action is skipped, since
 *     libseccomp would refuse it (EACCES);
 *   - the name is resolved with seccomp_syscall_resolve_name (native arch); a name libseccomp
 *     does not know at all (__NR_SCMP_ERROR) is skipped silently; a name it knows only on
 *     other arches resolves to a negative pseudo-syscall number and is added;
 *   - no args: seccomp_rule_add_array with no conditions; args where two share an index: one
 *     rule per condition (ORed); otherwise one rule with all of them (ANDed); each condition
 *     is (index, op, value, valueTwo), so MASKED_EQ means (arg & value) == valueTwo;
 *   - flags: TSYNC is ignored, LOG sets SCMP_FLTATR_CTL_LOG, SPEC_ALLOW SCMP_FLTATR_CTL_SSB;
 *     WAIT_KILLABLE_RECV has no attribute in libseccomp 2.5 and is ignored; none of them
 *     changes the exported program.
 * The API level is pinned with seccomp_api_set(6) so that the actions libseccomp checks
 * against the kernel (LOG, KILL_PROCESS, NOTIFY) do not depend on the machine running this.
 *
 * Errors go to stderr as "libseccomp-export: line N: ..." and the exit status is 1.
 * "libseccomp-export --version" prints the version of the libseccomp it runs with.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <seccomp.h>

#define MAX_ARGS 64

static int line_no;

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "libseccomp-export: ");
	if (line_no > 0)
		fprintf(stderr, "line %d: ", line_no);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static char *next_word(const char *what)
{
	char *w = strtok(NULL, " \t\r\n");

	if (w == NULL)
		die("missing %s", what);
	return w;
}

static long long parse_int(const char *s, const char *what)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0')
		die("%s: not a number: %s", what, s);
	return v;
}

static uint64_t parse_u64(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *s == '\0' || *s == '-' || *end != '\0')
		die("%s: not an unsigned 64-bit number: %s", what, s);
	return v;
}

static uint32_t parse_action(const char *name, long long err)
{
	uint16_t code = err < 0 ? EPERM : (uint16_t)err;

	if (err > 0xffff)
		die("errno %lld does not fit in 16 bits", err);
	if (strcmp(name, "KILL") == 0 || strcmp(name, "KILL_THREAD") == 0)
		return SCMP_ACT_KILL_THREAD;
	if (strcmp(name, "KILL_PROCESS") == 0)
		return SCMP_ACT_KILL_PROCESS;
	if (strcmp(name, "TRAP") == 0)
		return SCMP_ACT_TRAP;
	if (strcmp(name, "ERRNO") == 0)
		return SCMP_ACT_ERRNO(code);
	if (strcmp(name, "TRACE") == 0)
		return SCMP_ACT_TRACE(code);
	if (strcmp(name, "ALLOW") == 0)
		return SCMP_ACT_ALLOW;
	if (strcmp(name, "LOG") == 0)
		return SCMP_ACT_LOG;
	if (strcmp(name, "NOTIFY") == 0)
		return SCMP_ACT_NOTIFY;
	die("unknown action %s", name);
	return 0;
}

static enum scmp_compare parse_op(const char *name)
{
	static const struct { const char *name; enum scmp_compare op; } ops[] = {
		{ "NE", SCMP_CMP_NE }, { "LT", SCMP_CMP_LT }, { "LE", SCMP_CMP_LE },
		{ "EQ", SCMP_CMP_EQ }, { "GE", SCMP_CMP_GE }, { "GT", SCMP_CMP_GT },
		{ "MASKED_EQ", SCMP_CMP_MASKED_EQ },
	};
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(name, ops[i].name) == 0)
			return ops[i].op;
	die("unknown operator %s", name);
	return _SCMP_CMP_MIN;
}

/* What --last-syscalls reads: the filter's arches and every rule's name. */
static uint32_t arch_tokens[16];
static int n_arch_tokens;
static char *rule_names[8192];
static int n_rule_names;

static void note_arch(uint32_t token)
{
	int i;

	for (i = 0; i < n_arch_tokens; i++)
		if (arch_tokens[i] == token)
			return;
	if (n_arch_tokens < 16)
		arch_tokens[n_arch_tokens++] = token;
}

static void print_last_syscalls(void)
{
	int a, n;

	for (a = 0; a < n_arch_tokens; a++) {
		int last = 0;

		for (n = 0; n < n_rule_names; n++) {
			int nr = seccomp_syscall_resolve_name_arch(arch_tokens[a], rule_names[n]);

			if (nr > last)
				last = nr;
		}
		if (last > 0)
			printf("%u %d\n", arch_tokens[a], last);
	}
}

static void add_arch(scmp_filter_ctx ctx, const char *name)
{
	char lower[32];
	uint32_t token;
	size_t i;
	int rc;

	if (strlen(name) >= sizeof(lower))
		die("unknown architecture %s", name);
	for (i = 0; name[i] != '\0'; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	lower[i] = '\0';
	token = seccomp_arch_resolve_name(lower);
	if (token == 0)
		die("architecture %s is not known to libseccomp %d.%d.%d", name,
		    SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
	rc = seccomp_arch_add(ctx, token);
	if (rc != 0 && rc != -EEXIST)
		die("seccomp_arch_add(%s): %s", name, strerror(-rc));
	note_arch(token);
}

static void set_flag(scmp_filter_ctx ctx, const char *name)
{
	enum scmp_filter_attr attr;
	int rc;

	if (strcmp(name, "TSYNC") == 0 || strcmp(name, "WAIT_KILLABLE_RECV") == 0)
		return;
	if (strcmp(name, "LOG") == 0)
		attr = SCMP_FLTATR_CTL_LOG;
	else if (strcmp(name, "SPEC_ALLOW") == 0)
		attr = SCMP_FLTATR_CTL_SSB;
	else
		die("unknown flag %s", name);
	rc = seccomp_attr_set(ctx, attr, 1);
	if (rc != 0)
		die("seccomp_attr_set(%s): %s", name, strerror(-rc));
}

static void add_rule(scmp_filter_ctx ctx, uint32_t def)
{
	struct scmp_arg_cmp args[MAX_ARGS];
	unsigned int seen[6] = { 0 };
	int repeated = 0, nr, rc;
	long long nargs, i, err;
	const char *name, *act;
	uint32_t action;

	name = next_word("syscall name");
	if (n_rule_names < 8192)
		rule_names[n_rule_names++] = strdup(name);
	act = next_word("action");
	err = parse_int(next_word("errno"), "errno");
	nargs = parse_int(next_word("argument count"), "argument count");
	if (nargs < 0 || nargs > MAX_ARGS)
		die("%s: %lld arguments (at most %d)", name, nargs, MAX_ARGS);
	for (i = 0; i < nargs; i++) {
		long long index = parse_int(next_word("argument index"), "argument index");

		if (index < 0 || index > 5)
			die("%s: argument index %lld out of range 0..5", name, index);
		args[i].arg = (unsigned int)index;
		args[i].op = parse_op(next_word("operator"));
		args[i].datum_a = parse_u64(next_word("value"), "value");
		args[i].datum_b = parse_u64(next_word("valueTwo"), "valueTwo");
		if (seen[index]++ > 0)
			repeated = 1;
	}
	if (strtok(NULL, " \t\r\n") != NULL)
		die("%s: text after the last argument", name);

	action = parse_action(act, err);
	if (action == SCMP_ACT_NOTIFY && strcmp(name, "write") == 0)
		die("SCMP_ACT_NOTIFY cannot be used for the write syscall");
	if (action == def)
		return;
	nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR)
		return;

	if (!repeated) {
		rc = seccomp_rule_add_array(ctx, action, nr, (unsigned int)nargs, args);
		if (rc != 0)
			die("seccomp_rule_add(%s): %s", name, strerror(-rc));
		return;
	}
	for (i = 0; i < nargs; i++) {
		rc = seccomp_rule_add_array(ctx, action, nr, 1, &args[i]);
		if (rc != 0)
			die("seccomp_rule_add(%s, condition %lld): %s", name, i, strerror(-rc));
	}
}

int main(int argc, char *argv[])
{
	scmp_filter_ctx ctx = NULL;
	uint32_t def = 0;
	char line[8192];
	int rc;

	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		const struct scmp_version *v = seccomp_version();

		printf("%u.%u.%u\n", v->major, v->minor, v->micro);
		return 0;
	}
	int last_syscalls = argc == 2 && strcmp(argv[1], "--last-syscalls") == 0;

	if (argc != 1 && !last_syscalls)
		die("usage: libseccomp-export [--version | --last-syscalls] < profile-lines");
	note_arch(seccomp_arch_native());
	rc = seccomp_api_set(6);
	if (rc != 0)
		die("seccomp_api_set(6): %s", strerror(-rc));
	while (fgets(line, sizeof(line), stdin) != NULL) {
		char *word;

		line_no++;
		if (strchr(line, '\n') == NULL && !feof(stdin))
			die("line longer than %zu bytes", sizeof(line) - 1);
		word = strtok(line, " \t\r\n");
		if (word == NULL || word[0] == '#')
			continue;
		if (strcmp(word, "default") == 0) {
			const char *act;
			long long err;

			if (ctx != NULL)
				die("a second default line");
			act = next_word("action");
			err = parse_int(next_word("errno"), "errno");
			def = parse_action(act, err);
			if (def == SCMP_ACT_NOTIFY)
				die("SCMP_ACT_NOTIFY cannot be used as default action");
			ctx = seccomp_init(def);
			if (ctx == NULL)
				die("seccomp_init(0x%08x) failed", def);
			continue;
		}
		if (ctx == NULL)
			die("the first line must be default <action> <errno>");
		if (strcmp(word, "arch") == 0) {
			add_arch(ctx, next_word("architecture"));
		} else if (strcmp(word, "flag") == 0) {
			set_flag(ctx, next_word("flag"));
		} else if (strcmp(word, "optimize") == 0) {
			long long level = parse_int(next_word("level"), "optimize level");

			if (level < 1 || level > 2)
				die("optimize %lld: the level is 1 or 2", level);
			rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, (uint32_t)level);
			if (rc != 0)
				die("optimize %lld: %s", level, strerror(-rc));
		} else if (strcmp(word, "rule") == 0) {
			add_rule(ctx, def);
		} else {
			die("unknown directive %s", word);
		}
	}
	line_no = 0;
	if (ferror(stdin))
		die("reading stdin: %s", strerror(errno));
	if (ctx == NULL)
		die("no default line");
	if (last_syscalls) {
		print_last_syscalls();
		seccomp_release(ctx);
		return 0;
	}
	rc = seccomp_export_bpf(ctx, 1);
	if (rc != 0)
		die("seccomp_export_bpf: %s", strerror(-rc));
	if (fflush(stdout) != 0)
		die("writing stdout: %s", strerror(errno));
	seccomp_release(ctx);
	return 0;
}
