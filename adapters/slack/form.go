package slack

import (
	"errors"
	"net/url"
	"strings"
)

// form is a request body's fields in order, read as url.ParseQuery reads
// them, without the map: a slash command is a dozen fields, which a scan
// finds as fast as a map lookup, and building the map was most of the
// cost of reading the form.
type form []field

type field struct{ key, value string }

// maxFormFields is url.ParseQuery's default limit on the fields of one
// query.
const maxFormFields = 10000

var errFormFields = errors.New("number of URL query parameters exceeded limit")

// parseForm reads an application/x-www-form-urlencoded body: fields
// separated by &, a key and a value each separated by the first =, both
// unescaped by url.QueryUnescape. Like url.ParseQuery, it fails on a
// field with a semicolon or a bad escape, after reading the rest.
func parseForm(s string) (form, error) {
	n := strings.Count(s, "&") + 1
	if n > maxFormFields {
		return nil, errFormFields
	}
	f := make(form, 0, n)
	var err error
	for s != "" {
		var kv string
		kv, s, _ = strings.Cut(s, "&")
		if strings.Contains(kv, ";") {
			err = errors.New("invalid semicolon separator in query")
			continue
		}
		if kv == "" {
			continue
		}
		key, value, _ := strings.Cut(kv, "=")
		key, err1 := url.QueryUnescape(key)
		if err1 != nil {
			if err == nil {
				err = err1
			}
			continue
		}
		value, err1 = url.QueryUnescape(value)
		if err1 != nil {
			if err == nil {
				err = err1
			}
			continue
		}
		f = append(f, field{key, value})
	}
	return f, err
}

// Get returns the first value of key, "" when there is none, as
// url.Values.Get does.
func (f form) Get(key string) string {
	for _, x := range f {
		if x.key == key {
			return x.value
		}
	}
	return ""
}
