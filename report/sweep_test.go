package report

import "testing"

func TestIndexList(t *testing.T) {
	for _, tc := range []struct {
		in   []int
		want string
	}{{nil, ""}, {[]int{4}, "4"}, {[]int{1, 2, 3, 7, 9, 10}, "1-3, 7, 9-10"}} {
		if got := indexList(tc.in); got != tc.want {
			t.Errorf("indexList(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
