# Read our .sav/.dta files back with R: haven (labelled vectors) and foreign (read.spss), print JSON.
# Run in tests/data/statfiles (make_statfiles.sh does): Rscript read_back.R > read_back_R.json
suppressMessages({library(haven); library(foreign); library(jsonlite)})
describe_haven <- function(x) {
  lapply(x, function(v) {
    labs <- attr(v, "labels")
    list(class = class(v)[1], label = attr(v, "label"),
         format = if (!is.null(attr(v, "format.spss"))) attr(v, "format.spss") else attr(v, "format.stata"),
         labels = if (is.null(labs)) NULL else as.list(setNames(
           ifelse(is.na(labs), paste0("NA(", na_tag(labs), ")"), as.character(labs)), names(labs))),
         na_values = attr(v, "na_values"),
         values = if (is.character(v)) as.character(v) else
           ifelse(is.na(v), ifelse(is.na(na_tag(v)), NA, paste0("NA(", na_tag(v), ")")), as.character(unclass(v))))
  })
}
out <- list(
  versions = list(R = R.version.string, haven = as.character(packageVersion("haven")),
                  foreign = as.character(packageVersion("foreign"))),
  haven = list(answers_sav = describe_haven(read_sav("answers.sav", user_na = TRUE)),
               answers_dta = describe_haven(read_dta("answers.dta")),
               scored_sav = describe_haven(read_sav("scored.sav")),
               scored_dta = describe_haven(read_dta("scored.dta"))),
  foreign = local({
    f <- suppressWarnings(read.spss("answers.sav", to.data.frame = FALSE, use.value.labels = FALSE))
    list(variable_labels = as.list(attr(f, "variable.labels")),
         value_labels = lapply(attr(f, "label.table"), function(l) if (is.null(l)) NULL else
           as.list(setNames(trimws(as.character(l)), names(l)))),
         missings = lapply(attr(f, "missings"), function(m) m$value),
         SM1 = as.numeric(f$SM1), role = trimws(as.character(f$role)))
  })
)
cat(toJSON(out, auto_unbox = TRUE, null = "null", na = "null", pretty = TRUE, digits = NA))
