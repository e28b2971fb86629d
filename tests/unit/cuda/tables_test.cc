// The compiled tables in src/cuda/*_table.cc against their reviewed sources in data/cuda/*.csv,
// row by row, so the two can never drift; plus spot checks of what the tables are used for.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cuda/compute_table.h"
#include "cuda/driver_table.h"
#include "cuda/image_family_table.h"
#include "cuda/ngc_table.h"

namespace preflight::cuda {
namespace {

using Row = std::vector<std::string>;

// Data rows of a CSV in data/cuda (no quoting: the files use none), after the header.
std::vector<Row> read_csv(const std::string& name, const Row& header) {
  std::ifstream in(std::string(PREFLIGHT_TEST_DATA_DIR) + "/../../data/cuda/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::vector<Row> rows;
  std::string line;
  bool seen_header = false;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    EXPECT_EQ(line.find('"'), std::string::npos) << name << ": " << line;
    Row row;
    std::stringstream fields(line);
    std::string field;
    while (std::getline(fields, field, ',')) row.push_back(field);
    if (!line.empty() && line.back() == ',') row.emplace_back();
    if (!seen_header) {
      EXPECT_EQ(row, header) << name;
      seen_header = true;
      continue;
    }
    EXPECT_EQ(row.size(), header.size()) << name << ": " << line;
    rows.push_back(row);
  }
  EXPECT_TRUE(seen_header) << name;
  return rows;
}

std::string evidence(bool secondary) { return secondary ? "secondary" : "official"; }

TEST(CudaTablesTest, DriverTableEqualsCsv) {
  const auto rows =
      read_csv("cuda_driver_min.csv", {"cuda_version", "release", "min_linux_driver", "evidence"});
  const auto table = cuda_driver_rows();
  ASSERT_EQ(rows.size(), table.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE(rows[i][0]);
    EXPECT_EQ(to_string(table[i].cuda), rows[i][0]);
    EXPECT_EQ(table[i].release, rows[i][1]);
    EXPECT_EQ(to_string(table[i].min_driver), rows[i][2]);
    EXPECT_EQ(evidence(table[i].secondary), rows[i][3]);
    if (i > 0)
      EXPECT_LT(table[i - 1].cuda.key() * 1000 + table[i - 1].cuda.patch,
                table[i].cuda.key() * 1000 + table[i].cuda.patch);
  }
}

TEST(CudaTablesTest, NgcTableEqualsCsv) {
  const auto rows = read_csv("ngc_release_cuda.csv", {"release", "framework", "variant",
                                                      "cuda_version", "evidence", "source"});
  const auto table = ngc_rows();
  ASSERT_EQ(rows.size(), table.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE(rows[i][0] + " " + rows[i][1] + " " + rows[i][2]);
    EXPECT_EQ(table[i].release, rows[i][0]);
    EXPECT_EQ(table[i].framework, rows[i][1]);
    EXPECT_EQ(to_string(table[i].variant), rows[i][2]);
    const auto cuda = parse_cuda_version(rows[i][3]);
    ASSERT_TRUE(cuda);
    EXPECT_TRUE(table[i].cuda.same_release(*cuda)) << to_string(table[i].cuda);
    EXPECT_EQ(evidence(table[i].secondary), rows[i][4]);
    EXPECT_FALSE(rows[i][5].empty());
  }
}

TEST(CudaTablesTest, ImageFamilyTableEqualsCsv) {
  const auto rows = read_csv("image_family_cuda.csv", {"image", "from_version", "to_version",
                                                       "cuda_version", "evidence", "source"});
  const auto table = image_family_rows();
  ASSERT_EQ(rows.size(), table.size());
  auto release = [](const ReleaseVersion& r) {
    return std::to_string(r.major) + "." + std::to_string(r.minor) + "." + std::to_string(r.patch);
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE(rows[i][0] + " " + rows[i][1]);
    EXPECT_EQ(table[i].image, rows[i][0]);
    EXPECT_EQ(release(table[i].from), rows[i][1]);
    EXPECT_EQ(table[i].to ? release(*table[i].to) : "", rows[i][2]);
    EXPECT_TRUE(table[i].cuda.same_release(*parse_cuda_version(rows[i][3])));
    EXPECT_EQ(evidence(table[i].secondary), rows[i][4]);
    EXPECT_FALSE(rows[i][5].empty());
  }
}

TEST(CudaTablesTest, ComputeTablesEqualCsv) {
  const auto mins = read_csv("compute_capability.csv", {"cuda_major", "min_compute_capability"});
  ASSERT_EQ(mins.size(), min_compute_rows().size());
  for (std::size_t i = 0; i < mins.size(); ++i) {
    EXPECT_EQ(std::to_string(min_compute_rows()[i].cuda_major), mins[i][0]);
    EXPECT_EQ(compute_to_string(min_compute_rows()[i].min_cc), mins[i][1]);
  }
  const auto families =
      read_csv("gpu_family.csv", {"family", "min_compute_capability", "max_compute_capability"});
  ASSERT_EQ(families.size(), gpu_family_rows().size());
  for (std::size_t i = 0; i < families.size(); ++i) {
    EXPECT_EQ(gpu_family_rows()[i].family, families[i][0]);
    EXPECT_EQ(compute_to_string(gpu_family_rows()[i].range.lo), families[i][1]);
    EXPECT_EQ(compute_to_string(gpu_family_rows()[i].range.hi), families[i][2]);
  }
}

TEST(CudaTablesTest, MinDriverFor) {
  struct Case {
    CudaVersion cuda;
    std::string want;
  };
  const std::vector<Case> cases = {
      {{12, 4}, "550.54.14"},     // the CONTRACT's example: the 12.4 GA row
      {{12, 4, 1}, "550.54.14"},  // the toolkit compares major.minor: any 12.4 driver
      {{12, 2}, "535.54.03"},
      {{12, 0}, "525.60.13"},
      {{12, 7}, "570.26"},  // no 12.7: 12.8's
      {{13, 0}, "580.65.06"},
      {{11, 8}, "520.61.05"},
      {{10, 2}, "440.33"},
      {{13, 3}, "610.43.02"},
      {{13, 4}, ""},
      {{10, 1}, ""},
      {{9, 0}, ""},
  };
  for (const Case& c : cases) {
    const auto d = min_driver_for(c.cuda);
    EXPECT_EQ(d ? to_string(*d) : "", c.want) << to_string(c.cuda);
  }
}

TEST(CudaTablesTest, BranchReportsCuda) {
  // gpu-cuda-facts.md §2.3: observed 535 → 12.2, 550 → 12.4, 570 → 12.8, 580 → 13.0.
  struct Case {
    int branch;
    std::string want;
  };
  const std::vector<Case> cases = {
      {440, "10.2"}, {450, "11.0"}, {470, "11.4"}, {520, "11.8"}, {525, "12.0"},
      {535, "12.2"}, {545, "12.3"}, {550, "12.4"}, {555, "12.5"}, {560, "12.6"},
      {565, "12.6"}, {570, "12.8"}, {575, "12.9"}, {580, "13.0"}, {590, "13.1"},
      {595, "13.2"}, {610, "13.3"}, {418, ""},     {615, ""},  // below and above the table: unknown
  };
  for (const Case& c : cases) {
    const auto v = max_cuda_for_branch(c.branch);
    EXPECT_EQ(v ? major_minor(*v) : "", c.want) << c.branch;
  }
  EXPECT_EQ(branch_for(CudaVersion{12, 4}), 550);
  EXPECT_EQ(branch_for(CudaVersion{13, 0}), 580);
  EXPECT_EQ(branch_for(CudaVersion{13, 4}), std::nullopt);
  EXPECT_EQ(known_branch_at_least(541), 545);
  EXPECT_EQ(known_branch_at_least(535), 535);
  EXPECT_EQ(known_branch_at_least(611), std::nullopt);
}

TEST(CudaTablesTest, NgcLookup) {
  EXPECT_EQ(major_minor(*ngc_cuda("tritonserver", "25.10", NgcVariant::kTrtLlm)), "12.9");
  EXPECT_EQ(major_minor(*ngc_cuda("tritonserver", "25.10", NgcVariant::kVllm)), "13.0");
  EXPECT_EQ(major_minor(*ngc_cuda("tritonserver", "24.12", NgcVariant::kMain)), "12.6");
  EXPECT_EQ(major_minor(*ngc_cuda("pytorch", "24.05", NgcVariant::kMain)), "12.4");  // NGC base
  EXPECT_EQ(major_minor(*ngc_cuda("tritonserver", "24.05", NgcVariant::kMain)), "12.4");
  EXPECT_EQ(ngc_cuda("pytorch", "23.12", NgcVariant::kMain), std::nullopt);  // not read
  EXPECT_EQ(ngc_cuda("pytorch", "24.05", NgcVariant::kVllm), std::nullopt);
  EXPECT_EQ(ngc_cuda("tritonserver", "24.05", NgcVariant::kVllm)->patch, 1);
  EXPECT_EQ(ngc_cuda("nemo-microservices", "24.05", NgcVariant::kMain), std::nullopt);
  EXPECT_EQ(ngc_cuda("tensorflow", "24.10", NgcVariant::kMain), std::nullopt);  // triton-only row
}

TEST(CudaTablesTest, ComputeLookups) {
  EXPECT_EQ(min_compute_capability(13), 75);
  EXPECT_EQ(min_compute_capability(12), 50);
  EXPECT_EQ(min_compute_capability(11), 35);
  EXPECT_EQ(min_compute_capability(10), std::nullopt);
  EXPECT_EQ(min_compute_capability(14), 75);
  EXPECT_EQ(family_compute_range("volta")->hi, 74);
  EXPECT_EQ(family_compute_range("turing")->lo, 75);
  EXPECT_EQ(family_compute_range("blackwell")->lo, 100);
  EXPECT_EQ(family_compute_range("blackwell")->hi, 129);
  EXPECT_EQ(family_compute_range("Volta"), std::nullopt);
  EXPECT_EQ(family_compute_range("undefined"), std::nullopt);
  EXPECT_EQ(compute_to_string(75), "7.5");
  EXPECT_EQ(architecture_from(75), "Turing");
  EXPECT_EQ(architecture_from(50), "Maxwell");
}

}  // namespace
}  // namespace preflight::cuda
