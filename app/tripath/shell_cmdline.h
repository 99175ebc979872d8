/* C bridge to DPDK's cmdline for the interactive shell (see shell_cmdline.c). */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

struct cmdline;
/* Called with each entered line; return non-zero to end the shell. */
typedef int (*tripath_line_fn)(const char *line, void *opaque);

struct cmdline *tripath_shell_open(const char *prompt, tripath_line_fn fn, void *opaque);
/* Reads what is ready on stdin without blocking; -1 once the shell has ended. */
int tripath_shell_poll(struct cmdline *cl);
void tripath_shell_close(struct cmdline *cl);

#ifdef __cplusplus
}
#endif
