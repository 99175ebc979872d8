/* The interactive shell's line editor and history: DPDK's cmdline, with one instruction whose
 * token takes the whole line, which is then parsed by tripath's command registry.
 * C, because cmdline's instruction tables use flexible array initializers C++ lacks. */
#include <stddef.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>
#include <cmdline_socket.h>

#include "shell_cmdline.h"

struct whole_line {
	cmdline_multi_string_t line;
};

static tripath_line_fn line_fn;
static void *line_opaque;

static void on_line(void *parsed, struct cmdline *cl, void *data)
{
	(void)data;
	struct whole_line *w = parsed;
	if (line_fn(w->line, line_opaque) != 0)
		cmdline_quit(cl);
}

static cmdline_parse_token_string_t token_line = TOKEN_STRING_INITIALIZER(struct whole_line, line, TOKEN_STRING_MULTI);

static cmdline_parse_inst_t inst_line = {
	.f = on_line,
	.data = NULL,
	.help_str = "any tripath command; type 'help'",
	.tokens = { (void *)&token_line, NULL },
};

static cmdline_parse_ctx_t shell_ctx[] = { &inst_line, NULL };

struct cmdline *tripath_shell_open(const char *prompt, tripath_line_fn fn, void *opaque)
{
	line_fn = fn;
	line_opaque = opaque;
	return cmdline_stdin_new(shell_ctx, prompt);
}

int tripath_shell_poll(struct cmdline *cl)
{
	int status = cmdline_poll(cl);
	return status < 0 || status == RDLINE_EXITED ? -1 : 0;
}

void tripath_shell_close(struct cmdline *cl)
{
	cmdline_stdin_exit(cl);
}
