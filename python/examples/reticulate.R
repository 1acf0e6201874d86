# deterrence-sim from R through reticulate (run once here with Debian's r-base-core 4.2.2,
# r-cran-reticulate 1.28 and r-cran-readr 2.1.4). That reticulate predates numpy 2 and pandas 3, so
# it cannot convert their arrays and DataFrames: pass lists and read the tables from files.
#   Rscript python/examples/reticulate.R   (set the Python below to the venv of `pip install ./python`)
library(reticulate)
use_python(Sys.getenv("DSIM_PYTHON", "python3"), required = TRUE)  # where `pip install ./python` ran
ds <- import("deterrence_sim")
res <- ds$run(seed = 7L, runs = 2000L)
dir <- tempfile("dsim-")
invisible(res$to_csv(dir))                             # the CLI's files: summary.csv, runs.csv, ...
library(readr)
summary <- read_csv(file.path(dir, "summary.csv"), show_col_types = FALSE)
print(as.data.frame(summary[, c("regime", "force", "success_rate", "ci_low", "ci_high")]))
X <- list(list(2.0), list(3.0))                        # rows of the design matrix
out <- ds$evaluate(X, list("russia.lambda"), replicates = 200L, seed = 1L)
f <- tempfile(fileext = ".csv")
out$to_csv(f, index = FALSE)
print(as.data.frame(read_csv(f, show_col_types = FALSE)))
e <- tryCatch(ds$run(set = dict("russia.lambda" = -1)), error = function(e) conditionMessage(e))
cat(e, "\n")
