# PPR + PageONE: top-level build. Everything lands in build/ (ignored).
#
#   make check            build the debug flavour and run every test in the VM rig
#   make demo             the main job, on the lean flavour
#   make kernel           bzImage + modules      (FLAVOUR=lean|debug, default debug)
#   make images           L1/L2 initramfs images (implies kernel, selftests)
#   make run TESTS="..."  boot L1 and run only the named tests/host tests
#   make shell            boot L1 with a shell on this terminal (Ctrl-a x quits)
#   make qemu             L1's QEMU: Debian's with qemu/patches (implied by images)
#   make checkpatch       scripts/checkpatch.pl over our kernel sources
#   make deps             install missing Debian packages (every target above
#                         that builds or boots does it first)
#   make clean / distclean

FLAVOUR ?= debug
EXTRA_CONFIG ?=
TESTS ?=
RUNFLAGS ?=
SHELL := /bin/bash

obj := build/obj-$(FLAVOUR)
img := build/images-$(FLAVOUR)

.PHONY: deps qemu lean-l2-kernel bench soak all kernel selftests tools kmod images check run shell demo checkpatch clean distclean

all: images

deps:
	scripts/install-deps.sh

kernel: deps
	kernel/build.sh $(FLAVOUR) $(EXTRA_CONFIG)

selftests: kernel
	tests/vm/build-selftests.sh $(FLAVOUR)

tools: deps
	$(MAKE) -s -C tests/progs OUT=$(CURDIR)/build/tools-$(FLAVOUR)
	$(MAKE) -s -C tools/pprctl OUT=$(CURDIR)/build/tools-$(FLAVOUR)/host

kmod: kernel
	rm -rf build/kmod-$(FLAVOUR) && cp -r tests/kmod build/kmod-$(FLAVOUR)
	$(MAKE) -s -C $(obj) M=$(CURDIR)/build/kmod-$(FLAVOUR) modules

# The debug L1 also carries a lean guest kernel: tests whose subject is the
# host (55-lifetime boots six guests) use it so that KASAN runs where the
# code under test runs, in L1, and not in every guest boot.
ifeq ($(FLAVOUR),debug)
images: lean-l2-kernel
endif
lean-l2-kernel: deps
	kernel/build.sh lean

images: kernel selftests tools kmod qemu
	tests/vm/mkimages.sh $(FLAVOUR)

# L1's emulator under TCG: Debian's QEMU with qemu/patches (rebuilt only
# when they change).
qemu: deps
	scripts/build-qemu.sh

# pprctl's unit tests and the module's dependency check run here, on the
# build machine; their results are counted with the VM's.
check: images
	@mkdir -p build/logs
	@if $(MAKE) -s -C tools/pprctl test OUT=$(CURDIR)/build/pprctl-test >build/logs/unit.log 2>&1; \
	then echo "PPR-TAP ok - pprctl/unit-tests" >>build/logs/unit.log; \
	else echo "PPR-TAP not ok - pprctl/unit-tests # see build/logs/unit.log" >>build/logs/unit.log; fi
	@tests/vm/module-deps $(obj) >>build/logs/unit.log 2>&1 || true
	@python3 -B tests/vm/test_tap.py >>build/logs/unit.log 2>&1 || \
		echo "PPR-TAP not ok - tap/harness-tests # tests/vm/test_tap.py failed: see build/logs/unit.log" >>build/logs/unit.log
	tests/vm/run --flavour $(FLAVOUR) --results build/logs/unit.log $(RUNFLAGS) $(TESTS)

run: images
	tests/vm/run --flavour $(FLAVOUR) $(RUNFLAGS) $(TESTS)

shell: images
	tests/vm/run --flavour $(FLAVOUR) --shell $(RUNFLAGS) none

# Benchmarks on the lean flavour (tests/bench: the guest hooks, recycle
# cost, idle CPU, dedup throughput, guests' dedup; too slow for make check).
bench:
	$(MAKE) FLAVOUR=lean images
	tests/vm/run --flavour lean --append ppr.suite=bench $(RUNFLAGS) all

# Long runs on the debug flavour (tests/soak: the fuzzer for 10 minutes).
soak:
	$(MAKE) FLAVOUR=debug images
	tests/vm/run --flavour debug --append ppr.suite=soak $(RUNFLAGS) all

# The reference experiment at this machine's scale (docs/demo.md): prints
# its tables at the end and writes CSVs and a plot under build/demo.
# QUICK=1: a smaller run, a smoke test of the experiment.
demo:
	$(MAKE) FLAVOUR=lean images
	@mkdir -p build/demo && rm -f build/demo/console.log
	@rc=0; tests/vm/run --flavour lean --jobs 1 --log build/demo/console.log \
		--append "ppr.suite=demo$(if $(QUICK), ppr.demo_quick=1)" $(RUNFLAGS) all || rc=$$?; \
	tests/demo/report build/demo/console.log build/demo || rc=1; exit $$rc

# --strict, but for MACRO_ARG_REUSE: our table macros take field names,
# which have no side effects to repeat.
checkpatch:
	@files=$$(git ls-files 'mm/*.[ch]' 'guest/*.[ch]' 'include/*.h'); \
	if [ -z "$$files" ]; then echo "checkpatch: no kernel sources yet"; exit 0; fi; \
	perl build/src/linux/scripts/checkpatch.pl --no-tree --strict --ignore MACRO_ARG_REUSE -f $$files

clean:
	rm -rf build/obj-* build/images-* build/selftests-* build/tools-* build/logs

distclean:
	rm -rf build
