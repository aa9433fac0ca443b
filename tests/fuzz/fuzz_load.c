/*
 * libFuzzer entry point: one input through the YAML reader, then as a whole
 * tenants file through the model builder and the checks. Run by "make fuzz".
 *
 * model_load reads a file by name, so the input is written to a memory file
 * and loaded through /proc/self/fd: the loader runs exactly as it does on
 * disk, relative paths and all, without touching the disk.
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mutualize.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
memory_file(void)
{
	static int	fd = -1;

	if (fd == -1 && (fd = memfd_create("fuzz.yaml", MFD_CLOEXEC)) == -1) {
		perror("memfd_create");
		abort();
	}
	return fd;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags	 d = { 0 };
	struct ydoc	*doc;
	struct model	*m;
	char		 path[64];
	int		 fd = memory_file();

	doc = ydoc_load_buffer("fuzz.yaml", (const char *)data, size,
	    &ylimits_default, &d);
	ydoc_free(doc);
	diag_free(&d);

	if (ftruncate(fd, 0) == -1 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((m = model_load(path, &d)) != NULL)
		model_check(m, &d);
	diag_sort(&d);
	model_free(m);
	diag_free(&d);
	return 0;
}
