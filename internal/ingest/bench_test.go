package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"testing"
)

// signInNDJSON makes about size bytes of NDJSON Azure Monitor sign-in
// records of about 1.8 KB each, shaped like elastic's test-signinlogs-raw.log
// sample (shared/data/public), with varying IDs, times, addresses and users.
func signInNDJSON(size int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < size; i++ {
		id := fmt.Sprintf("%08x-095c-47d0-a96f-%012x", i, i*7919)
		ip := fmt.Sprintf("81.2.%d.%d", i/256%256, i%256)
		user := fmt.Sprintf("user%d@contoso.com", i%5000)
		ts := fmt.Sprintf("2026-11-%02dT%02d:%02d:%02d.0729893Z", 1+i/86400%28, i/3600%24, i/60%60, i%60)
		fmt.Fprintf(&b, `{"Level":"4","callerIpAddress":"%[2]s","category":"NonInteractiveUserSignInLogs","correlationId":"%[1]s","durationMs":0,`+
			`"identity":"User %[5]d","location":"FR","operationName":"Sign-in activity","operationVersion":"1.0","properties":{`+
			`"appDisplayName":"Office 365","appId":"4765445b-32c6-49b0-83e6-1d93765276ca","authenticationRequirement":"singleFactorAuthentication",`+
			`"clientAppUsed":"Browser","conditionalAccessStatus":"notApplied","correlationId":"%[1]s","createdDateTime":"%[4]s",`+
			`"deviceDetail":{"browser":"Chrome 120.0.0","deviceId":"","operatingSystem":"MacOs"},"id":"%[1]s","ipAddress":"%[2]s",`+
			`"isInteractive":false,"location":{"city":"Champs-Sur-Marne","countryOrRegion":"FR","geoCoordinates":{"latitude":48.12341234,`+
			`"longitude":2.12341234},"state":"Seine-Et-Marne"},"originalRequestId":"%[1]s","processingTimeInMilliseconds":239,`+
			`"resourceDisplayName":"Microsoft Graph","riskDetail":"none","riskLevelAggregated":"none","riskLevelDuringSignIn":"none","riskState":"none",`+
			`"servicePrincipalId":"","status":{"errorCode":50140,"failureReason":"This error occurred due to 'Keep me signed in' interrupt when the user was signing-in."},`+
			`"tokenIssuerName":"","tokenIssuerType":"AzureAD","userAgent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36",`+
			`"userDisplayName":"User %[5]d","userId":"%[1]s","userPrincipalName":"%[3]s"},`+
			`"resourceId":"/tenants/8a4de8b5-095c-47d0-a96f-a75130c61d53/providers/Microsoft.aadiam",`+
			`"resultDescription":"This error occurred due to 'Keep me signed in' interrupt when the user was signing-in.","resultSignature":"None",`+
			`"resultType":"50140","tenantId":"8a4de8b5-095c-47d0-a96f-a75130c61d53","time":"%[4]s"}`+"\n",
			id, ip, user, ts, i%5000)
	}
	return b.Bytes()
}

// BenchmarkNDJSON reads 32 MiB of sign-in NDJSON with the reader, and, as
// the baseline measured in the same run, counts its lines with
// bufio.Scanner (1 MiB buffer).
//
//	go test -run '^$' -bench NDJSON -benchmem ./internal/ingest/
func BenchmarkNDJSON(b *testing.B) {
	data := signInNDJSON(32 << 20)
	lines := bytes.Count(data, []byte{'\n'})
	b.Run("reader", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			f, err := NewFile("bench.ndjson", bytes.NewReader(data), Options{})
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for {
				rec, err := f.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				n += len(rec.Data) & 1
				n++
			}
			f.Close()
			if n < lines {
				b.Fatalf("%d records, want %d", n, lines)
			}
		}
		b.ReportMetric(float64(lines), "records/op")
	})
	b.Run("baseline-linecount", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(make([]byte, 1<<20), 64<<20)
			n := 0
			for sc.Scan() {
				n++
			}
			if n != lines {
				b.Fatalf("%d lines, want %d", n, lines)
			}
		}
		b.ReportMetric(float64(lines), "records/op")
	})
}

// BenchmarkArray reads the same records as one pretty-free JSON array, the
// path that scans every byte.
func BenchmarkArray(b *testing.B) {
	nd := signInNDJSON(8 << 20)
	data := append([]byte{'['}, bytes.ReplaceAll(bytes.TrimSpace(nd), []byte("}\n{"), []byte("},\n{"))...)
	data = append(data, ']')
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := NewFile("bench.json", bytes.NewReader(data), Options{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := f.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		f.Close()
	}
}

// BenchmarkCSV reads Purview-style CSV rows.
func BenchmarkCSV(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("RecordId,CreationDate,RecordType,Operation,UserId,AuditData\n")
	for i := 0; buf.Len() < 8<<20; i++ {
		fmt.Fprintf(&buf, `%08x-1b89-4962-8fef-a3ac54373001,"2026-11-20T08:01:02.0000000Z ",15,UserLoggedIn,alice@contoso.com,`+
			`"{""CreationTime"":""2026-11-20T08:01:02"",""Id"":""%08x"",""Operation"":""UserLoggedIn"",""RecordType"":15,""ClientIP"":""203.0.113.7""}"`+"\n", i, i)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := NewFile("bench.csv", bytes.NewReader(data), Options{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := f.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		f.Close()
	}
}
