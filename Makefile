# The two commands of the README. Both install what is missing (Debian 12, apt-get; sudo when
# not root), configure and build; then `run` runs the offline demo and `test` runs every test.
.POSIX:
.PHONY: all deps build run test asan-test fuzz valgrind format-check lint clean

BUILD ?= build
JOBS ?= 2
DTP_FUZZ_SECONDS ?= 20
CMAKE_FLAGS ?= -DDTP_WERROR=ON

# Debian 12 packages the build, the tests and the demo need (DESIGN.md "Dependencies").
DEB_PACKAGES = build-essential cmake pkg-config git clang libclang-rt-14-dev clang-format \
	libcurl4-openssl-dev libxml2-dev libtesseract-dev libleptonica-dev tesseract-ocr \
	tesseract-ocr-chi-sim tesseract-ocr-eng libsqlite3-dev sqlite3 libcsv-dev libcmocka-dev \
	libarchive-dev libjansson-dev libinih-dev libssl-dev libreadstat-dev readstat \
	libmicrohttpd-dev libxlsxwriter-dev iso-codes fonts-noto-cjk chromium valgrind

all: build

deps:
	@sh tools/install-deps.sh $(DEB_PACKAGES)

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: build
	@sh tools/demo.sh $(BUILD)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# Unit tests and fuzz-seed replays under AddressSanitizer + UndefinedBehaviorSanitizer.
asan-test: deps
	cmake -S . -B $(BUILD)-asan -DDTP_WERROR=ON -DDTP_SANITIZE=ON -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug
	cmake --build $(BUILD)-asan -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 ctest --test-dir $(BUILD)-asan --output-on-failure -j $(JOBS) -L unit

# libFuzzer targets, each run briefly (DTP_FUZZ_SECONDS).
fuzz: deps
	cmake -S . -B $(BUILD)-fuzz -DDTP_WERROR=ON -DDTP_FUZZ=ON -DDTP_FUZZ_SECONDS=$(DTP_FUZZ_SECONDS) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug
	cmake --build $(BUILD)-fuzz -j $(JOBS)
	ctest --test-dir $(BUILD)-fuzz --output-on-failure -j $(JOBS) -L fuzz

# The offline snapshot end to end under valgrind memcheck, in a fresh data dir (docs/reliability.md).
valgrind: build
	rm -rf $(BUILD)/valgrind-data
	valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect $(BUILD)/cli/dtpanel \
		--config data/snapshot/pipeline.conf --data-dir $(BUILD)/valgrind-data --quiet run

format-check:
	@sh tools/check-format.sh

lint:
	@sh tools/check-banned.sh

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-fuzz
